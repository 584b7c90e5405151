"""The AWS CLI's MFA commands against Tessera, codes from oathtool (iam-mfa.md §4; the CLI's
--outfile/--bootstrap-method customisation of create-virtual-mfa-device, otp.md §3)."""

import re
import shutil
import subprocess

import pytest

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, TOTP_STEP, decode_qr
from test_aws_cli import Cli

T = MFA_STEP
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def cli(tessera, tmp_path):
    tessera.freeze(MFA_NOW)
    return Cli(tessera.url, tmp_path)


def oathtool(seed, step):
    """The two codes of `step` and `step + 1` as the oathtool command prints them."""
    if not shutil.which("oathtool"):
        pytest.skip("SKIPPED: oathtool not installed (tests/run installs it)")
    out = subprocess.run(["oathtool", "--totp", "-b", "-N", f"@{step * TOTP_STEP}", "-w", "1",
                          seed], capture_output=True, text=True, check=True, timeout=30)
    c1, c2 = out.stdout.split()
    return c1, c2


def create_seed(cli, name, *extra):
    out = cli.tmp / f"{name}.seed"
    dev = cli.ok("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
                 "--outfile", str(out), "--bootstrap-method", "Base32StringSeed", *extra)
    return dev["VirtualMFADevice"]["SerialNumber"], out.read_text().strip()


def enable(cli, user, serial, seed, step=T):
    c1, c2 = oathtool(seed, step)
    return cli.ok("iam", "enable-mfa-device", "--user-name", user, "--serial-number", serial,
                  "--authentication-code1", c1, "--authentication-code2", c2)


def test_create_with_qr_png_outfile(cli):
    png = cli.tmp / "qr.png"
    dev = cli.ok("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice-phone",
                 "--outfile", str(png), "--bootstrap-method", "QRCodePNG")["VirtualMFADevice"]
    assert dev["SerialNumber"] == f"arn:aws:iam::{ACCOUNT_ID}:mfa/alice-phone"
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC)
    [uri] = decode_qr(data)
    assert re.fullmatch(
        rf"otpauth://totp/Tessera:alice-phone@{ACCOUNT_ID}\?secret=[A-Z2-7]{{64}}&issuer=Tessera",
        uri), uri


def test_create_with_seed_outfile_and_enable(cli):
    cli.ok("iam", "create-user", "--user-name", "alice")
    serial, seed = create_seed(cli, "alice-token", "--path", "/team/",
                               "--tags", "Key=owner,Value=alice")
    assert serial == f"arn:aws:iam::{ACCOUNT_ID}:mfa/team/alice-token"
    assert re.fullmatch(r"[A-Z2-7]{64}", seed), seed
    assert enable(cli, "alice", serial, seed) is None
    devices = cli.ok("iam", "list-mfa-devices", "--user-name", "alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [("alice", serial)]
    assert devices[0]["EnableDate"].startswith("2027-01-15T08:00:10")
    tags = cli.ok("iam", "list-mfa-device-tags", "--serial-number", serial)["Tags"]
    assert tags == [{"Key": "owner", "Value": "alice"}]


def test_create_errors(cli):
    create_seed(cli, "dup")
    err = cli.fails("EntityAlreadyExists", "iam", "create-virtual-mfa-device",
                    "--virtual-mfa-device-name", "DUP", "--outfile", str(cli.tmp / "x.png"),
                    "--bootstrap-method", "QRCodePNG")
    assert "CreateVirtualMFADevice" in err
    cli.fails("ValidationError", "iam", "create-virtual-mfa-device",
              "--virtual-mfa-device-name", "x" * 300, "--outfile", str(cli.tmp / "y.png"),
              "--bootstrap-method", "QRCodePNG")


def test_list_virtual_devices_by_status(cli):
    cli.ok("iam", "create-user", "--user-name", "alice")
    used, seed = create_seed(cli, "used")
    free, _ = create_seed(cli, "free")
    enable(cli, "alice", used, seed)
    unassigned = cli.ok("iam", "list-virtual-mfa-devices", "--assignment-status",
                        "Unassigned")["VirtualMFADevices"]
    assert unassigned == [{"SerialNumber": free}]
    assigned = cli.ok("iam", "list-virtual-mfa-devices", "--assignment-status",
                      "Assigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [used]
    assert assigned[0]["User"]["UserName"] == "alice"
    assert "Base32StringSeed" not in assigned[0] and "QRCodePNG" not in assigned[0]
    everything = cli.ok("iam", "list-virtual-mfa-devices", "--page-size", "1")
    assert [d["SerialNumber"] for d in everything["VirtualMFADevices"]] == sorted([used, free])
    cli.fails("ValidationError", "iam", "list-virtual-mfa-devices", "--assignment-status",
              "Sometimes")


def test_enable_errors(cli):
    cli.ok("iam", "create-user", "--user-name", "alice")
    serial, seed = create_seed(cli, "dev")
    c1, c2 = oathtool(seed, T)
    err = cli.fails("InvalidAuthenticationCode", "iam", "enable-mfa-device", "--user-name",
                    "alice", "--serial-number", serial, "--authentication-code1", c2,
                    "--authentication-code2", c1)
    assert "Authentication code for device is not valid." in err
    cli.fails("NoSuchEntity", "iam", "enable-mfa-device", "--user-name", "alice",
              "--serial-number", f"arn:aws:iam::{ACCOUNT_ID}:mfa/nothing",
              "--authentication-code1", c1, "--authentication-code2", c2)
    cli.fails("NoSuchEntity", "iam", "enable-mfa-device", "--user-name", "ghost",
              "--serial-number", serial, "--authentication-code1", c1,
              "--authentication-code2", c2)
    enable(cli, "alice", serial, seed)
    err = cli.fails("EntityAlreadyExists", "iam", "enable-mfa-device", "--user-name", "alice",
                    "--serial-number", serial, *codes_args(seed, T + 2))
    assert "MFA device is already in use." in err


def codes_args(seed, step):
    c1, c2 = oathtool(seed, step)
    return ["--authentication-code1", c1, "--authentication-code2", c2]


def test_root_enable_with_account_id(cli):
    serial, seed = create_seed(cli, "root-token")
    enable(cli, ACCOUNT_ID, serial, seed)
    devices = cli.ok("iam", "list-mfa-devices")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [(ACCOUNT_ID, serial)]


def test_resync(cli):
    cli.ok("iam", "create-user", "--user-name", "alice")
    serial, seed = create_seed(cli, "dev")
    enable(cli, "alice", serial, seed)
    assert cli.ok("iam", "resync-mfa-device", "--user-name", "alice", "--serial-number", serial,
                  *codes_args(seed, T + 20)) is None
    cli.fails("InvalidAuthenticationCode", "iam", "resync-mfa-device", "--user-name", "alice",
              "--serial-number", serial, *codes_args(seed, T + 20))
    cli.fails("NoSuchEntity", "iam", "resync-mfa-device", "--user-name", "ghost",
              "--serial-number", serial, *codes_args(seed, T + 22))


def test_deactivate_and_delete(cli):
    cli.ok("iam", "create-user", "--user-name", "alice")
    serial, seed = create_seed(cli, "dev")
    enable(cli, "alice", serial, seed)
    err = cli.fails("DeleteConflict", "iam", "delete-virtual-mfa-device", "--serial-number",
                    serial)
    assert "DeleteVirtualMFADevice" in err
    err = cli.fails("DeleteConflict", "iam", "delete-user", "--user-name", "alice")
    assert "must delete MFA device first" in err
    cli.fails("NoSuchEntity", "iam", "deactivate-mfa-device", "--user-name", "alice",
              "--serial-number", f"arn:aws:iam::{ACCOUNT_ID}:mfa/other")
    assert cli.ok("iam", "deactivate-mfa-device", "--user-name", "alice", "--serial-number",
                  serial) is None
    assert cli.ok("iam", "list-mfa-devices", "--user-name", "alice")["MFADevices"] == []
    cli.fails("NoSuchEntity", "iam", "deactivate-mfa-device", "--user-name", "alice",
              "--serial-number", serial)
    assert cli.ok("iam", "delete-virtual-mfa-device", "--serial-number", serial) is None
    cli.fails("NoSuchEntity", "iam", "delete-virtual-mfa-device", "--serial-number", serial)
    assert cli.ok("iam", "list-virtual-mfa-devices")["VirtualMFADevices"] == []


def test_list_mfa_devices_unknown_user(cli):
    cli.fails("NoSuchEntity", "iam", "list-mfa-devices", "--user-name", "ghost")


def test_tags(cli):
    serial, _ = create_seed(cli, "dev")
    assert cli.ok("iam", "tag-mfa-device", "--serial-number", serial, "--tags",
                  "Key=a,Value=1", "Key=B,Value=2") is None
    assert cli.ok("iam", "untag-mfa-device", "--serial-number", serial, "--tag-keys",
                  "A") is None
    assert cli.ok("iam", "list-mfa-device-tags", "--serial-number", serial)["Tags"] == [
        {"Key": "B", "Value": "2"}]
    cli.fails("InvalidInput", "iam", "tag-mfa-device", "--serial-number", serial, "--tags",
              "Key=aws:x,Value=1")
    cli.fails("NoSuchEntity", "iam", "list-mfa-device-tags", "--serial-number",
              f"arn:aws:iam::{ACCOUNT_ID}:mfa/none")
