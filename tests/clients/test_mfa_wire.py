"""MFA operations on the wire (raw signed requests: envelopes, member order, blob encoding,
timestamps) and the secrecy of seeds and codes: never in the server's log, in import output or
in the database in the clear (iam-mfa.md §0.3, §2.1, §4; otp.md §3; wire-protocol.md)."""

import base64
import binascii
import subprocess
import urllib.parse

import pytest

from harness import (ACCOUNT_ID, IAM_NS, IAM_VERSION, ISO_Z, MFA_NOW, MFA_STEP, child,
                     decode_qr, parse_xml, run_import_hardware, strip_ns, totp_pair,
                     virtual_device)


def iam_call(tessera, action, **params):
    resp = tessera.raw({"Action": action, "Version": IAM_VERSION, **params})
    assert resp.status_code == 200, resp.text
    root = parse_xml(resp)
    assert root.tag == "{%s}%sResponse" % (IAM_NS, action), resp.text
    return root


def names(el):
    return [strip_ns(c.tag) for c in el]


def test_create_virtual_device_on_the_wire(tessera):
    root = iam_call(tessera, "CreateVirtualMFADevice", VirtualMFADeviceName="wire",
                    **{"Tags.member.1.Key": "k", "Tags.member.1.Value": "v"})
    assert names(root) == ["CreateVirtualMFADeviceResult", "ResponseMetadata"]
    dev = child(child(root, "CreateVirtualMFADeviceResult"), "VirtualMFADevice")
    assert names(dev) == ["SerialNumber", "Base32StringSeed", "QRCodePNG", "Tags"]
    # Both blobs are base64: the seed of the Base32 text, the QR code of the PNG bytes.
    seed = base64.b64decode(child(dev, "Base32StringSeed").text, validate=True).decode("ascii")
    assert len(seed) == 64
    png = base64.b64decode("".join(child(dev, "QRCodePNG").text.split()), validate=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png)[0].endswith(f"?secret={seed}&issuer=Tessera")
    tag = child(child(dev, "Tags"), "member")
    assert names(tag) == ["Key", "Value"]


def test_qr_error_correction_level(tessera):
    import io

    import zxingcpp
    from PIL import Image

    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="ec")["VirtualMFADevice"]
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(dev["QRCodePNG"])).convert("L"))
    assert code.ec_level in {"M", "Q", "H"}, code.ec_level  # otp.md §4.3: M or better


def test_enable_and_list_on_the_wire(tessera):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "wire")
    c1, c2 = totp_pair(seed, MFA_STEP)
    root = iam_call(tessera, "EnableMFADevice", UserName="alice", SerialNumber=serial,
                    AuthenticationCode1=c1, AuthenticationCode2=c2)
    assert names(root) == ["ResponseMetadata"]  # no output shape, no Result element

    result = child(iam_call(tessera, "ListMFADevices", UserName="alice"), "ListMFADevicesResult")
    assert names(result) == ["MFADevices", "IsTruncated"]
    [member] = list(child(result, "MFADevices"))
    assert names(member) == ["UserName", "SerialNumber", "EnableDate"]
    assert child(member, "EnableDate").text in ("2027-01-15T08:00:10Z",
                                                "2027-01-15T08:00:10.000Z")
    assert ISO_Z.match(child(member, "EnableDate").text)

    result = child(iam_call(tessera, "ListVirtualMFADevices"), "ListVirtualMFADevicesResult")
    [member] = list(child(result, "VirtualMFADevices"))
    assert names(member) == ["SerialNumber", "User", "EnableDate"]
    assert names(child(member, "User")) == ["Path", "UserName", "UserId", "Arn", "CreateDate"]

    for action in ("DeactivateMFADevice", "DeleteVirtualMFADevice"):
        params = {"SerialNumber": serial}
        if action == "DeactivateMFADevice":
            params["UserName"] = "alice"
        assert names(iam_call(tessera, action, **params)) == ["ResponseMetadata"]


def test_empty_lists_on_the_wire(tessera):
    tessera.create_user("alice")
    serial, _ = virtual_device(tessera.iam(), "empty")
    for action, params, lst in [
        ("ListMFADevices", {"UserName": "alice"}, "MFADevices"),
        ("ListMFADeviceTags", {"SerialNumber": serial}, "Tags"),
        ("ListVirtualMFADevices", {"AssignmentStatus": "Assigned"}, "VirtualMFADevices"),
    ]:
        result = child(iam_call(tessera, action, **params), f"{action}Result")
        empty = child(result, lst)
        assert empty is not None and len(empty) == 0, (action, names(result))
        assert child(result, "IsTruncated").text == "false"
        assert child(result, "Marker") is None


def test_tag_untag_have_no_result(tessera):
    serial, _ = virtual_device(tessera.iam(), "tags")
    root = iam_call(tessera, "TagMFADevice", SerialNumber=serial,
                    **{"Tags.member.1.Key": "a b", "Tags.member.1.Value": "c+d"})
    assert names(root) == ["ResponseMetadata"]
    assert tessera.iam().list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "a b", "Value": "c+d"}]
    root = iam_call(tessera, "UntagMFADevice", SerialNumber=serial, **{"TagKeys.member.1": "A B"})
    assert names(root) == ["ResponseMetadata"]
    assert tessera.iam().list_mfa_device_tags(SerialNumber=serial)["Tags"] == []


def test_root_user_name_output_on_the_wire(tessera):
    tessera.freeze(MFA_NOW)
    serial, seed = virtual_device(tessera.iam(), "root-wire")
    c1, c2 = totp_pair(seed, MFA_STEP)
    iam_call(tessera, "EnableMFADevice", UserName=ACCOUNT_ID, SerialNumber=serial,
             AuthenticationCode1=c1, AuthenticationCode2=c2)
    result = child(iam_call(tessera, "ListMFADevices"), "ListMFADevicesResult")
    [member] = list(child(result, "MFADevices"))
    assert child(member, "UserName").text == ACCOUNT_ID
    result = child(iam_call(tessera, "ListVirtualMFADevices"), "ListVirtualMFADevicesResult")
    user = child(list(child(result, "VirtualMFADevices"))[0], "User")
    assert child(user, "Arn").text == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert child(user, "UserId").text == ACCOUNT_ID
    assert child(user, "UserName") is None and child(user, "Path") is None


# --- secrets stay secret -----------------------------------------------------------------------


def _forms(seed_b32: str) -> list[str]:
    raw = base64.b32decode(seed_b32)
    return [seed_b32, seed_b32.lower(), base64.b64encode(seed_b32.encode()).decode(),
            raw.hex(), base64.b64encode(raw).decode()]


def test_seeds_and_codes_never_logged(tessera):
    tessera.freeze(MFA_NOW)
    offset = tessera.server.log_size()
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "secret")
    c1, c2 = totp_pair(seed, MFA_STEP)
    tessera.iam().enable_mfa_device(UserName="alice", SerialNumber=serial,
                                    AuthenticationCode1=c1, AuthenticationCode2=c2)
    w1, w2 = totp_pair(seed, MFA_STEP + 40)
    with pytest.raises(Exception):
        tessera.iam().resync_mfa_device(UserName="alice", SerialNumber=serial,
                                        AuthenticationCode1=w2, AuthenticationCode2=w1)
    log = tessera.server.log_since(offset, max_lines=100000)
    for secret in _forms(seed) + [c1, c2, w1, w2]:
        assert secret not in log, f"{secret!r} appears in the server log"


def test_import_output_has_no_seed(tessera, tmp_path):
    seed_hex = "0123456789abcdef0123456789abcdef01234567"
    b32 = base64.b32encode(bytes.fromhex(seed_hex)).decode().rstrip("=")
    f = tmp_path / "t.csv"
    f.write_text(f"HWWIRE000001,{seed_hex},6,30\nHWWIRE000002,{b32},6,30\n")
    p = run_import_hardware(tessera.server.database, f)
    assert p.returncode == 0, p.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(f"HWWIRE000003,{seed_hex},6,30\nHWWIRE000004,{b32},8,30\n")
    q = run_import_hardware(tessera.server.database, bad)
    assert q.returncode != 0
    for out in (p.stdout, p.stderr, q.stdout, q.stderr):
        for secret in (seed_hex, seed_hex.upper(), b32, b32.lower()):
            assert secret not in out, (secret, out)


def _database_bytes(tessera) -> bytes:
    url = tessera.server.database
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        subprocess.run(["sqlite3", path, "PRAGMA wal_checkpoint(PASSIVE);"],
                       capture_output=True, timeout=30)
        data = b""
        for suffix in ("", "-wal", "-journal"):
            try:
                with open(path + suffix, "rb") as fh:
                    data += fh.read()
            except FileNotFoundError:
                pass
        return data
    out = subprocess.run(["pg_dump", "--data-only", url], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_seeds_encrypted_at_rest(tessera, tmp_path):
    tessera.freeze(MFA_NOW)
    serial, seed = virtual_device(tessera.iam(), "at-rest")
    hw_hex = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
    f = tmp_path / "t.csv"
    f.write_text(f"HWREST000001,{hw_hex},6,30\n")
    assert run_import_hardware(tessera.server.database, f).returncode == 0
    data = _database_bytes(tessera)
    assert urllib.parse.quote(serial).encode() in data or serial.encode() in data or \
        b"at-rest" in data, "the dump does not look like this server's database"
    raw = base64.b32decode(seed)
    needles = [raw, bytes.fromhex(hw_hex)] + [s.encode() for s in _forms(seed)] + [
        hw_hex.encode(), binascii.hexlify(raw), binascii.hexlify(bytes.fromhex(hw_hex))]
    for needle in needles:
        assert needle not in data, f"a seed is stored in the clear ({needle[:12]!r}…)"
