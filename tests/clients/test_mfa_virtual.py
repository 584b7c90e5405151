"""CreateVirtualMFADevice, ListVirtualMFADevices and DeleteVirtualMFADevice through boto3
(iam-mfa.md §1.3, §4.1, §4.4, §4.7; otp.md §3, §4.3)."""

import base64
import datetime as dt
import re
import threading
import urllib.parse

import pyotp
import pytest
from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, aws_error, decode_qr, enable_device
from harness import totp_pair, virtual_device

MFA_ARN = f"arn:aws:iam::{ACCOUNT_ID}:mfa"
NAME_TAKEN = "MFADevice entity at the same path and name already exists."
BASE32_64 = re.compile(r"^[A-Z2-7]{64}$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def frozen_dt(unix=MFA_NOW):
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc)


def no_such_virtual(serial):
    return f"VirtualMFADevice with serial number {serial} doesn't exist."


# --- CreateVirtualMFADevice --------------------------------------------------------------------


def test_create_returns_serial_seed_and_png(tessera):
    resp = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")
    dev = resp["VirtualMFADevice"]
    assert dev["SerialNumber"] == f"{MFA_ARN}/alice-phone"
    # botocore hands over the bytes of the Base32 text (the wire carries it base64-encoded).
    seed = dev["Base32StringSeed"]
    assert isinstance(seed, bytes)
    assert BASE32_64.match(seed.decode("ascii")), seed
    assert len(base64.b32decode(seed)) == 40
    assert dev["QRCodePNG"].startswith(PNG_MAGIC)
    assert "User" not in dev and "EnableDate" not in dev and "Tags" not in dev
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_seeds_are_distinct(tessera):
    seeds = {virtual_device(tessera.iam(), f"dev{i}")[1] for i in range(4)}
    assert len(seeds) == 4


def test_qr_code_carries_the_key_uri(tessera):
    tessera.freeze(MFA_NOW)
    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="bob-phone",
                                                  Path="/team/")["VirtualMFADevice"]
    seed = dev["Base32StringSeed"].decode("ascii")
    texts = decode_qr(dev["QRCodePNG"])
    # otp.md §4.3: ISSUER:DEVICENAME@ACCOUNT, no path; ACCOUNT is the account ID without alias.
    assert texts == [f"otpauth://totp/Tessera:bob-phone@{ACCOUNT_ID}?secret={seed}&issuer=Tessera"]
    # An authenticator app reading the QR code produces codes Tessera accepts.
    app = pyotp.parse_uri(texts[0])
    assert app.secret == seed and app.issuer == "Tessera"
    assert app.digits == 6 and app.interval == 30
    tessera.create_user("bob")
    tessera.iam().enable_mfa_device(UserName="bob", SerialNumber=dev["SerialNumber"],
                                    AuthenticationCode1=app.at(MFA_NOW),
                                    AuthenticationCode2=app.at(MFA_NOW + 30))
    devices = tessera.iam().list_mfa_devices(UserName="bob")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [dev["SerialNumber"]]


def test_qr_code_uses_the_account_alias(tessera):
    tessera.iam().create_account_alias(AccountAlias="example-corp")
    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"]
    seed = dev["Base32StringSeed"].decode("ascii")
    uri = decode_qr(dev["QRCodePNG"])
    assert uri == [f"otpauth://totp/Tessera:carol@example-corp?secret={seed}&issuer=Tessera"]


def test_qr_label_is_percent_encoded_and_parses_back(tessera):
    # Names may hold +=,.@- (iam-mfa.md §0.2); the label must still parse to the same name.
    name = "d.o+e=1,x@y-z"
    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    [uri] = decode_qr(dev["QRCodePNG"])
    parts = urllib.parse.urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert urllib.parse.unquote(parts.path) == f"/Tessera:{name}@{ACCOUNT_ID}"
    query = urllib.parse.parse_qs(parts.query)
    assert query == {"secret": [dev["Base32StringSeed"].decode()], "issuer": ["Tessera"]}


def test_create_with_tags(tessera):
    tags = [{"Key": "Owner", "Value": "alice"}, {"Key": "cost center", "Value": "Ünï 1"}]
    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="tagged",
                                                  Tags=tags)["VirtualMFADevice"]
    assert sorted((t["Key"], t["Value"]) for t in dev["Tags"]) == sorted(
        (t["Key"], t["Value"]) for t in tags)
    listed = tessera.iam().list_mfa_device_tags(SerialNumber=dev["SerialNumber"])["Tags"]
    assert listed == [{"Key": "cost center", "Value": "Ünï 1"}, {"Key": "Owner", "Value": "alice"}]


@pytest.mark.parametrize("tags", [
    [{"Key": "ok", "Value": "1"}, {"Key": "aws:reserved", "Value": "2"}],
    [{"Key": "dup", "Value": "1"}, {"Key": "DUP", "Value": "2"}],
])
def test_create_with_bad_tags_creates_nothing(tessera, tags):
    with aws_error("InvalidInput", 400):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="badtags", Tags=tags)
    assert tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"] == []
    # The name was not taken.
    virtual_device(tessera.iam(), "badtags")


def test_create_with_too_many_tags(tessera):
    # The model caps the list at 50: a limit or validation error (as for users), nothing created.
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as ei:
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="many", Tags=tags)
    r = ei.value.response
    assert (r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]) in {
        ("LimitExceeded", 409), ("ValidationError", 400)}, r
    assert tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_create_with_path(tessera):
    serial, _ = virtual_device(tessera.iam(), "ops-1", Path="/team/ops/")
    assert serial == f"{MFA_ARN}/team/ops/ops-1"
    listed = tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial]


@pytest.mark.parametrize("path", ["noslash", "/noend", "no/start/", "/a b/"])
def test_create_with_bad_path(tessera, path):
    with aws_error("ValidationError", 400):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="p", Path=path)
    assert tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"] == []


@pytest.mark.parametrize("name", ["bad name", "bad!name", "naïve", "a/b"])
def test_create_with_bad_name(tessera, name):
    with aws_error("ValidationError", 400):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName=name)


def test_create_missing_name(tessera):
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).create_virtual_mfa_device()


def test_serial_length_limit(tessera):
    # serial = "arn:aws:iam::123456789012:mfa" (29) + "/" + name: at most 256 characters.
    longest = "n" * 226
    serial, _ = virtual_device(tessera.iam(), longest)
    assert len(serial) == 256
    with aws_error("ValidationError", 400):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="m" * 227)
    with aws_error("ValidationError", 400):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="p" * 200,
                                                Path="/" + "x" * 30 + "/")
    listed = tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial]


def test_name_collision_is_case_insensitive_across_paths(tessera):
    serial, _ = virtual_device(tessera.iam(), "Phone")
    for name, path in [("Phone", "/"), ("phone", "/"), ("PHONE", "/other/"),
                       ("phone", "/team/sub/")]:
        with aws_error("EntityAlreadyExists", 409, message=NAME_TAKEN):
            tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName=name, Path=path)
    listed = tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial]


def test_name_collision_with_an_assigned_device(tessera):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "alice-phone", Path="/a/")
    enable_device(tessera.iam(), "alice", serial, seed)
    with aws_error("EntityAlreadyExists", 409, message=NAME_TAKEN):
        tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="ALICE-PHONE")


def test_concurrent_creates_of_one_name(tessera):
    # iam-mfa.md §8: one succeeds, the others EntityAlreadyExists.
    results, barrier = [], threading.Barrier(8)
    clients = [tessera.iam() for _ in range(8)]

    def create(i):
        barrier.wait()
        try:
            clients[i].create_virtual_mfa_device(VirtualMFADeviceName="racy" if i % 2 else "RACY")
            results.append("ok")
        except ClientError as e:
            results.append(e.response["Error"]["Code"])

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == ["EntityAlreadyExists"] * 7 + ["ok"], results
    assert len(tessera.iam().list_virtual_mfa_devices()["VirtualMFADevices"]) == 1


# --- DeleteVirtualMFADevice --------------------------------------------------------------------


def test_delete_frees_the_name_and_forgets_the_seed(tessera):
    iam = tessera.iam()
    serial, seed = virtual_device(iam, "temp", Tags=[{"Key": "k", "Value": "v"}])
    assert iam.delete_virtual_mfa_device(SerialNumber=serial)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    with aws_error("NoSuchEntity", 404):
        iam.list_mfa_device_tags(SerialNumber=serial)
    with aws_error("NoSuchEntity", 404, message=no_such_virtual(serial)):
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    again, new_seed = virtual_device(iam, "TEMP")
    assert again == f"{MFA_ARN}/TEMP" and new_seed != seed


def test_deleted_device_cannot_be_enabled(tessera):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "gone")
    tessera.iam().delete_virtual_mfa_device(SerialNumber=serial)
    with aws_error("NoSuchEntity", 404,
                   message=f"MFA device with serial number {serial} does not exist."):
        enable_device(tessera.iam(), "alice", serial, seed)


@pytest.mark.parametrize("serial", [
    f"{MFA_ARN}/never-created",
    "arn:aws:iam::210987654321:mfa/other-account",
    f"arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/key-7XNL7NFNLZ3Q2B5HV4KD6MEXAM",
    "GAHT12345678",
])
def test_delete_unknown_serial(tessera, serial):
    with aws_error("NoSuchEntity", 404, message=no_such_virtual(serial)):
        tessera.iam().delete_virtual_mfa_device(SerialNumber=serial)


def test_delete_assigned_device_conflicts(tessera):
    tessera.freeze(MFA_NOW)
    tessera.create_user("alice")
    iam = tessera.iam()
    serial, seed = virtual_device(iam, "in-use")
    enable_device(iam, "alice", serial, seed)
    with aws_error("DeleteConflict", 409):
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [
        serial]
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_delete_serial_too_short(tessera):
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).delete_virtual_mfa_device(SerialNumber="short")


# --- ListVirtualMFADevices ---------------------------------------------------------------------


def test_list_empty(tessera):
    resp = tessera.iam().list_virtual_mfa_devices()
    assert resp["VirtualMFADevices"] == []
    assert resp["IsTruncated"] is False
    assert "Marker" not in resp


def test_list_shows_no_secrets_and_the_assignment(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    alice = tessera.create_user("alice", Path="/eng/")
    s_free, _ = virtual_device(iam, "a-free", Tags=[{"Key": "k", "Value": "v"}])
    s_alice, seed_alice = virtual_device(iam, "b-alice", Tags=[{"Key": "k", "Value": "v"}])
    s_root, seed_root = virtual_device(iam, "c-root", Path="/root/")
    enable_device(iam, "alice", s_alice, seed_alice)
    enable_device(iam, ACCOUNT_ID, s_root, seed_root)

    devices = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in devices] == [s_free, s_alice, s_root]
    for d in devices:
        assert not {"Base32StringSeed", "QRCodePNG", "Tags"} & set(d), d
    free, on_alice, on_root = devices
    assert set(free) == {"SerialNumber"}
    assert set(on_alice) == {"SerialNumber", "User", "EnableDate"}
    assert on_alice["EnableDate"] == frozen_dt()
    user = on_alice["User"]
    assert (user["UserName"], user["UserId"], user["Arn"], user["Path"]) == (
        "alice", alice["UserId"], alice["Arn"], "/eng/")
    assert user["CreateDate"] == alice["CreateDate"]
    # Root form of User (iam-mfa.md §0.3): UserId = account ID, root ARN, no name or path.
    assert on_root["EnableDate"] == frozen_dt()
    assert on_root["User"]["UserId"] == ACCOUNT_ID
    assert on_root["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert "UserName" not in on_root["User"] and "Path" not in on_root["User"]


def test_list_assignment_status_filter(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serials = {}
    for name in ["d0", "d1", "d2", "d3", "d4"]:
        serials[name] = virtual_device(iam, name)
    enable_device(iam, "alice", *serials["d1"])
    enable_device(iam, "bob", *serials["d3"])

    def listed(**kw):
        return [d["SerialNumber"].rsplit("/", 1)[1] for d in
                iam.list_virtual_mfa_devices(**kw)["VirtualMFADevices"]]

    assert listed() == ["d0", "d1", "d2", "d3", "d4"]
    assert listed(AssignmentStatus="Any") == ["d0", "d1", "d2", "d3", "d4"]
    assert listed(AssignmentStatus="Assigned") == ["d1", "d3"]
    assert listed(AssignmentStatus="Unassigned") == ["d0", "d2", "d4"]
    iam.deactivate_mfa_device(UserName="bob", SerialNumber=serials["d3"][0])
    assert listed(AssignmentStatus="Assigned") == ["d1"]
    assert listed(AssignmentStatus="Unassigned") == ["d0", "d2", "d3", "d4"]


def test_list_bad_assignment_status(tessera):
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).list_virtual_mfa_devices(AssignmentStatus="Sometimes")


def _seven(tessera):
    """Seven unassigned devices created out of order; their (serial, seed) in serial order."""
    iam = tessera.iam()
    made = {}
    for i in reversed(range(7)):
        made[i] = virtual_device(iam, f"dev-{i}")
    return [made[i] for i in range(7)]


def test_list_pagination_with_marker(tessera):
    serials = [s for s, _ in _seven(tessera)]
    iam = tessera.iam()
    seen, sizes, marker = [], [], None
    while True:
        kw = {"MaxItems": 3}
        if marker:
            kw["Marker"] = marker
        resp = iam.list_virtual_mfa_devices(**kw)
        sizes.append(len(resp["VirtualMFADevices"]))
        seen += [d["SerialNumber"] for d in resp["VirtualMFADevices"]]
        if not resp["IsTruncated"]:
            assert "Marker" not in resp
            break
        marker = resp["Marker"]
        assert marker
    assert sizes == [3, 3, 1]
    assert seen == serials


def test_list_paginator(tessera):
    serials = [s for s, _ in _seven(tessera)]
    pages = list(tessera.iam().get_paginator("list_virtual_mfa_devices").paginate(
        PaginationConfig={"PageSize": 2}))
    assert [len(p["VirtualMFADevices"]) for p in pages] == [2, 2, 2, 1]
    assert [d["SerialNumber"] for p in pages for d in p["VirtualMFADevices"]] == serials


def test_list_paginator_with_filter(tessera):
    tessera.freeze(MFA_NOW)
    devices = _seven(tessera)
    serials = [s for s, _ in devices]
    iam = tessera.iam()
    tessera.create_user("alice")
    for i in (1, 4):
        enable_device(iam, "alice", *devices[i])
    pages = list(iam.get_paginator("list_virtual_mfa_devices").paginate(
        AssignmentStatus="Unassigned", PaginationConfig={"PageSize": 2}))
    got = [d["SerialNumber"] for p in pages for d in p["VirtualMFADevices"]]
    assert got == [s for i, s in enumerate(serials) if i not in (1, 4)]
    assert [len(p["VirtualMFADevices"]) for p in pages] == [2, 2, 1]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned", MaxItems=1)
    assert [d["SerialNumber"] for d in assigned["VirtualMFADevices"]] == [serials[1]]
    assert assigned["IsTruncated"] is True
    rest = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned", Marker=assigned["Marker"])
    assert [d["SerialNumber"] for d in rest["VirtualMFADevices"]] == [serials[4]]
    assert rest["IsTruncated"] is False


def test_list_sorted_by_serial_in_byte_order(tessera):
    # Sorted by SerialNumber (§4.7): the same order on every backend, whatever its collation.
    iam = tessera.iam()
    made = [virtual_device(iam, n, **kw)[0] for n, kw in [
        ("beta", {}), ("Alpha", {}), ("_x", {}), ("zeta", {}), ("0num", {}), ("Mid", {"Path": "/p/"}),
        ("a.b", {}), ("a-b", {}), ("a@b", {}), ("A+b", {"Path": "/P/"})]]
    got = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]
    assert got == sorted(made, key=lambda s: s.encode())
    paged = [d["SerialNumber"] for p in iam.get_paginator("list_virtual_mfa_devices").paginate(
        PaginationConfig={"PageSize": 3}) for d in p["VirtualMFADevices"]]
    assert paged == got


@pytest.mark.parametrize("max_items", [0, 1001])
def test_list_bad_max_items(tessera, max_items):
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).list_virtual_mfa_devices(MaxItems=max_items)


def test_pair_helper_matches_the_rfc_vectors():
    # The independent generator itself (otp.md §2.1), so a failure elsewhere is Tessera's.
    seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp_pair(seed, 1111111109 // 30) == ("081804", "050471")
    assert totp_pair("3132333435363738393031323334353637383930", 1, hex_seed=True) == (
        "287082", "359152")
    assert MFA_STEP * 30 + 10 == MFA_NOW


def test_qr_code_read_by_zbarimg(tessera, tmp_path):
    # A second, unrelated decoder (Debian's zbar-tools) reads the same URI.
    import shutil
    import subprocess

    if not shutil.which("zbarimg"):
        pytest.skip("SKIPPED: zbarimg not installed (tests/run installs zbar-tools)")
    dev = tessera.iam().create_virtual_mfa_device(VirtualMFADeviceName="zbar")["VirtualMFADevice"]
    png = tmp_path / "qr.png"
    png.write_bytes(dev["QRCodePNG"])
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    seed = dev["Base32StringSeed"].decode()
    assert out.stdout.strip() == (f"otpauth://totp/Tessera:zbar@{ACCOUNT_ID}?secret={seed}"
                                  "&issuer=Tessera")
