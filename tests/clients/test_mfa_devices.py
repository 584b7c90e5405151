"""EnableMFADevice, ListMFADevices, DeactivateMFADevice, GetMFADevice and the device rules of
DeleteUser through boto3, for IAM users and for root addressed by its account ID (iam-mfa.md
§0.4, §1.2, §4.2–§4.8, §5.4). Codes come from oathtool/pyotp at a frozen Tessera clock."""

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, Creds, aws_error, enable_device, totp_codes, totp_pair
from harness import virtual_device

MFA_ARN = f"arn:aws:iam::{ACCOUNT_ID}:mfa"
IN_USE = "MFA device is already in use."
WRONG_CODE = "Authentication code for device is not valid."
DELETE_MFA_FIRST = "Cannot delete entity, must delete MFA device first."
U2F_SERIAL = f"arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/yubikey-7XNL7NFNLZ3Q2B5HV4KD6MEXAM"


def frozen_dt(unix=MFA_NOW):
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc)


def no_such_device(serial):
    return f"MFA device with serial number {serial} does not exist."


def listed(iam, **kw):
    return [(d["UserName"], d["SerialNumber"]) for d in iam.list_mfa_devices(**kw)["MFADevices"]]


@pytest.fixture
def frozen(tessera):
    tessera.freeze(MFA_NOW)
    return tessera


def grant_all(tessera, user):
    """Lets `user` call IAM once identity policies exist; IAM users already have full rights in
    their own account until then (and PutUserPolicy is not there yet)."""
    try:
        tessera.grant(user, ["iam:*"])
    except ClientError as e:
        if e.response["Error"]["Code"] != "InvalidAction":
            raise


# --- IAM user lifecycle ------------------------------------------------------------------------


def test_user_lifecycle(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice", Path="/eng/")
    serial, seed = virtual_device(iam, "alice-phone")
    assert listed(iam, UserName="alice") == []

    c1, c2 = totp_pair(seed, MFA_STEP)
    resp = iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=c1,
                                 AuthenticationCode2=c2)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(resp) == {"ResponseMetadata"}

    page = iam.list_mfa_devices(UserName="alice")
    assert page["IsTruncated"] is False and "Marker" not in page
    [dev] = page["MFADevices"]
    assert dev == {"UserName": "alice", "SerialNumber": serial, "EnableDate": frozen_dt()}
    assert listed(iam, UserName="ALICE") == [("alice", serial)]  # names are case-insensitive
    [virt] = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert virt["SerialNumber"] == serial and virt["User"]["UserName"] == "alice"

    assert iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)[
        "ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed(iam, UserName="alice") == []
    [virt] = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert virt == {"SerialNumber": serial}  # Unassigned: no User, no EnableDate

    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_deactivated_device_keeps_seed_and_tags_and_can_move(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serial, seed = virtual_device(iam, "shared", Tags=[{"Key": "k", "Value": "v"}])
    enable_device(iam, "alice", serial, seed)
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "k", "Value": "v"}]
    # Same seed, later steps (the used ones stay used, otp.md §5).
    tessera.advance(60)
    enable_device(iam, "bob", serial, seed, MFA_STEP + 2)
    assert listed(iam, UserName="bob") == [("bob", serial)]
    assert listed(iam, UserName="alice") == []
    [d] = iam.list_mfa_devices(UserName="bob")["MFADevices"]
    assert d["EnableDate"] == frozen_dt(MFA_NOW + 60)


def test_list_mfa_devices_order_and_pagination(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    made = []
    # Enabled in this order, one second apart, names not in that order: sorted by EnableDate.
    for name in ["zeta", "alpha", "mid", "beta"]:
        serial, seed = virtual_device(iam, name)
        enable_device(iam, "alice", serial, seed)
        made.append(serial)
        tessera.advance(1)
    assert [s for _, s in listed(iam, UserName="alice")] == made
    first = iam.list_mfa_devices(UserName="alice", MaxItems=3)
    assert [d["SerialNumber"] for d in first["MFADevices"]] == made[:3]
    assert first["IsTruncated"] is True and first["Marker"]
    rest = iam.list_mfa_devices(UserName="alice", Marker=first["Marker"])
    assert [d["SerialNumber"] for d in rest["MFADevices"]] == made[3:]
    assert rest["IsTruncated"] is False
    pages = list(iam.get_paginator("list_mfa_devices").paginate(
        UserName="alice", PaginationConfig={"PageSize": 1}))
    assert [d["SerialNumber"] for p in pages for d in p["MFADevices"]] == made


def test_same_enable_date_sorts_by_serial(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    made = [virtual_device(iam, n) for n in ["c", "a", "B", "_u"]]
    for serial, seed in made:
        enable_device(iam, "alice", serial, seed)
    assert [s for _, s in listed(iam, UserName="alice")] == sorted(s for s, _ in made)


def test_list_mfa_devices_unknown_user(tessera):
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        tessera.iam().list_mfa_devices(UserName="ghost")


def test_list_mfa_devices_of_the_calling_user(frozen):
    tessera = frozen
    _, creds = tessera.user_with_key("alice")
    tessera.create_user("bob")
    grant_all(tessera, "alice")
    iam = tessera.iam()
    s_alice, seed_alice = virtual_device(iam, "alice-dev")
    s_bob, seed_bob = virtual_device(iam, "bob-dev")
    enable_device(iam, "alice", s_alice, seed_alice)
    enable_device(iam, "bob", s_bob, seed_bob)
    assert listed(tessera.iam(creds)) == [("alice", s_alice)]


# --- root (UserName = account ID, iam-mfa.md §0.4) ---------------------------------------------


def mfa_iam(tessera, serial, seed, step):
    """An IAM client on root's MFA session, opened with the code of `step` (from oathtool)."""
    (code,) = totp_codes(seed, step * 30, 1)
    got = tessera.sts().get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    return tessera.iam(Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"]))


def test_root_lifecycle(frozen):
    # The first device needs no MFA context; removing root's own device needs an MFA session
    # (the self-service rule, §3.6).
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    s_root, seed_root = virtual_device(iam, "root-phone")
    s_alice, seed_alice = virtual_device(iam, "alice-phone")
    enable_device(iam, ACCOUNT_ID, s_root, seed_root)
    enable_device(iam, "alice", s_alice, seed_alice)

    root_devices = iam.list_mfa_devices(UserName=ACCOUNT_ID)["MFADevices"]
    assert root_devices == [{"UserName": ACCOUNT_ID, "SerialNumber": s_root,
                             "EnableDate": frozen_dt()}]
    # Without UserName, root lists its own devices.
    assert listed(iam) == [(ACCOUNT_ID, s_root)]
    # Root's devices never show for users, and users' never for root.
    assert listed(iam, UserName="alice") == [("alice", s_alice)]

    # Resync addresses root the same way (and needs no MFA context, §4.5 step 5).
    c1, c2 = totp_pair(seed_root, MFA_STEP + 20)
    iam.resync_mfa_device(UserName=ACCOUNT_ID, SerialNumber=s_root, AuthenticationCode1=c1,
                          AuthenticationCode2=c2)
    with aws_error("NoSuchEntity", 404):
        iam.resync_mfa_device(UserName="alice", SerialNumber=s_root,
                              AuthenticationCode1=c1, AuthenticationCode2=c2)

    with aws_error("AccessDenied", 403, contains="not authenticated with an existing MFA device"):
        iam.deactivate_mfa_device(UserName=ACCOUNT_ID, SerialNumber=s_root)
    # After the resync the device runs 21 steps ahead: its next code is step MFA_STEP + 22's.
    mfa_iam(tessera, s_root, seed_root, MFA_STEP + 22).deactivate_mfa_device(UserName=ACCOUNT_ID, SerialNumber=s_root)
    assert listed(iam) == []
    assert listed(iam, UserName="alice") == [("alice", s_alice)]
    iam.delete_virtual_mfa_device(SerialNumber=s_root)


def test_root_deactivate_without_user_name(frozen):
    # DeactivateMFADevice defaults to the caller (§4.3 step 1; root may omit UserName); root
    # removing its own device needs an MFA session (§3.6).
    tessera = frozen
    iam = tessera.iam()
    serial, seed = virtual_device(iam, "root-key")
    enable_device(iam, ACCOUNT_ID, serial, seed)
    with aws_error("AccessDenied", 403, contains="not authenticated with an existing MFA device"):
        iam.deactivate_mfa_device(SerialNumber=serial)
    # Enabling spent steps MFA_STEP and MFA_STEP + 1; a step later the next code is fresh.
    tessera.advance(30)
    mfa_iam(tessera, serial, seed, MFA_STEP + 2).deactivate_mfa_device(SerialNumber=serial)
    assert listed(iam, UserName=ACCOUNT_ID) == []


def test_root_device_cannot_be_deactivated_as_a_user(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "root-phone")
    enable_device(iam, ACCOUNT_ID, serial, seed)
    with aws_error("NoSuchEntity", 404):
        iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert listed(iam) == [(ACCOUNT_ID, serial)]


def test_account_id_is_an_ordinary_name_for_other_callers(frozen):
    # For a non-root caller the account ID names a user, and there is none.
    tessera = frozen
    _, creds = tessera.user_with_key("alice")
    grant_all(tessera, "alice")
    serial, seed = virtual_device(tessera.iam(), "dev")
    missing = f"The user with name {ACCOUNT_ID} cannot be found."
    with aws_error("NoSuchEntity", 404, message=missing):
        enable_device(tessera.iam(creds), ACCOUNT_ID, serial, seed)
    with aws_error("NoSuchEntity", 404, message=missing):
        tessera.iam(creds).list_mfa_devices(UserName=ACCOUNT_ID)
    assert tessera.iam().list_mfa_devices()["MFADevices"] == []
    assert tessera.iam().list_virtual_mfa_devices(AssignmentStatus="Assigned")[
        "VirtualMFADevices"] == []


def test_root_device_in_use_by_a_user(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "one")
    enable_device(iam, "alice", serial, seed)
    with aws_error("EntityAlreadyExists", 409, message=IN_USE):
        enable_device(iam, ACCOUNT_ID, serial, seed, MFA_STEP + 2)
    assert listed(iam) == []


# --- EnableMFADevice errors --------------------------------------------------------------------


def test_enable_unknown_user(frozen):
    serial, seed = virtual_device(frozen.iam(), "dev")
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        enable_device(frozen.iam(), "ghost", serial, seed)


@pytest.mark.parametrize("serial", [
    f"{MFA_ARN}/never-created",
    "arn:aws:iam::210987654321:mfa/other-account",
    U2F_SERIAL,
    f"arn:aws:iam::{ACCOUNT_ID}:u2f/root/desk-key-R4ABCDEFGHIJKLMNOPQRSTUVWX",
    "GAHT12345678",
])
def test_enable_unknown_serial(frozen, serial):
    frozen.create_user("alice")
    with aws_error("NoSuchEntity", 404, message=no_such_device(serial)):
        frozen.iam().enable_mfa_device(UserName="alice", SerialNumber=serial,
                                       AuthenticationCode1="123456", AuthenticationCode2="654321")
    assert listed(frozen.iam(), UserName="alice") == []


def test_enable_serial_is_case_sensitive(frozen):
    tessera = frozen
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "phone")
    upper = serial.replace("/phone", "/PHONE")
    with aws_error("NoSuchEntity", 404, message=no_such_device(upper)):
        enable_device(tessera.iam(), "alice", upper, seed)


def test_enable_device_already_in_use(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    # By its owner again, and by someone else, with fresh valid codes.
    for user, step in [("alice", MFA_STEP + 2), ("bob", MFA_STEP + 4)]:
        with aws_error("EntityAlreadyExists", 409, message=IN_USE):
            enable_device(iam, user, serial, seed, step)
    assert listed(iam, UserName="alice") == [("alice", serial)]
    assert listed(iam, UserName="bob") == []


def test_enable_wrong_code(frozen):
    tessera = frozen
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "dev")
    c1, c2 = totp_pair(seed, MFA_STEP)
    bad = f"{(int(c2) + 1) % 1000000:06d}"
    with aws_error("InvalidAuthenticationCode", 403, message=WRONG_CODE):
        tessera.iam().enable_mfa_device(UserName="alice", SerialNumber=serial,
                                        AuthenticationCode1=c1, AuthenticationCode2=bad)
    assert listed(tessera.iam(), UserName="alice") == []
    assert tessera.iam().list_virtual_mfa_devices(AssignmentStatus="Assigned")[
        "VirtualMFADevices"] == []


@pytest.mark.parametrize("code", ["12345", "1234567", "12345a", "", "12 456"])
def test_enable_malformed_code(frozen, code):
    tessera = frozen
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "dev")
    c1, _ = totp_pair(seed, MFA_STEP)
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).enable_mfa_device(
            UserName="alice", SerialNumber=serial, AuthenticationCode1=c1,
            AuthenticationCode2=code)
    assert listed(tessera.iam(), UserName="alice") == []


def test_enable_missing_parameters(frozen):
    tessera = frozen
    tessera.create_user("alice")
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).enable_mfa_device(UserName="alice",
                                                      AuthenticationCode1="123456",
                                                      AuthenticationCode2="654321")


def test_enable_serial_too_long(frozen):
    frozen.create_user("alice")
    with aws_error("ValidationError", 400):
        frozen.iam().enable_mfa_device(UserName="alice", SerialNumber="S" * 257,
                                       AuthenticationCode1="123456", AuthenticationCode2="654321")


# --- DeactivateMFADevice errors ----------------------------------------------------------------


def test_deactivate_device_of_another_user(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    with aws_error("NoSuchEntity", 404):
        iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert listed(iam, UserName="alice") == [("alice", serial)]


def test_deactivate_unassigned_and_unknown(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, _ = virtual_device(iam, "dev")
    for s in [serial, f"{MFA_ARN}/nothing-here", U2F_SERIAL, "GAHT12345678"]:
        with aws_error("NoSuchEntity", 404):
            iam.deactivate_mfa_device(UserName="alice", SerialNumber=s)
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        iam.deactivate_mfa_device(UserName="ghost", SerialNumber=serial)


def test_deactivate_twice(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    with aws_error("NoSuchEntity", 404):
        iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)


# --- ResyncMFADevice addressing (codes in test_mfa_codes.py) -----------------------------------


def test_resync_device_of_another_user(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    c1, c2 = totp_pair(seed, MFA_STEP + 2)
    with aws_error("NoSuchEntity", 404):
        iam.resync_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1=c1,
                              AuthenticationCode2=c2)
    with aws_error("NoSuchEntity", 404):
        iam.resync_mfa_device(UserName="ghost", SerialNumber=serial, AuthenticationCode1=c1,
                              AuthenticationCode2=c2)
    # The codes were not used: the owner can still resync with them.
    iam.resync_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=c1,
                          AuthenticationCode2=c2)


def test_resync_unassigned_device(frozen):
    tessera = frozen
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "dev")
    c1, c2 = totp_pair(seed, MFA_STEP)
    with aws_error("NoSuchEntity", 404):
        tessera.iam().resync_mfa_device(UserName="alice", SerialNumber=serial,
                                        AuthenticationCode1=c1, AuthenticationCode2=c2)


# --- GetMFADevice ------------------------------------------------------------------------------


def test_get_mfa_device_on_virtual_serial_is_not_found(frozen):
    # GetMFADevice answers for FIDO (u2f) serials only (§4.8).
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "dev")
    with aws_error("NoSuchEntity", 404):
        iam.get_mfa_device(SerialNumber=serial)
    enable_device(iam, "alice", serial, seed)
    with aws_error("NoSuchEntity", 404):
        iam.get_mfa_device(SerialNumber=serial)
    with aws_error("NoSuchEntity", 404):
        iam.get_mfa_device(SerialNumber=serial, UserName="alice")
    with aws_error("NoSuchEntity", 404):
        iam.get_mfa_device(SerialNumber=U2F_SERIAL)


# --- DeleteUser --------------------------------------------------------------------------------


def test_delete_user_with_assigned_device(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "alice-dev")
    enable_device(iam, "alice", serial, seed)
    with aws_error("DeleteConflict", 409, message=DELETE_MFA_FIRST):
        iam.delete_user(UserName="alice")
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_user(UserName="alice")
    # The device stays in the account, unassigned (§5.4).
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == [{"SerialNumber": serial}]


def test_delete_user_conflict_order(frozen):
    # Access keys are reported before MFA devices (§5.4 table order).
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    serial, seed = virtual_device(iam, "alice-dev")
    enable_device(iam, "alice", serial, seed)
    with aws_error("DeleteConflict", 409,
                   message="Cannot delete entity, must delete access keys first."):
        iam.delete_user(UserName="alice")
    iam.delete_access_key(UserName="alice", AccessKeyId=key)
    with aws_error("DeleteConflict", 409, message=DELETE_MFA_FIRST):
        iam.delete_user(UserName="alice")


def test_recreated_user_does_not_inherit_devices(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "alice-dev")
    enable_device(iam, "alice", serial, seed)
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_user(UserName="alice")
    tessera.create_user("alice")
    assert listed(iam, UserName="alice") == []


def test_account_summary_counts_devices(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    before = iam.get_account_summary()["SummaryMap"]
    serial, seed = virtual_device(iam, "alice-dev")
    virtual_device(iam, "spare")
    enable_device(iam, "alice", serial, seed)
    after = iam.get_account_summary()["SummaryMap"]
    assert after["MFADevices"] == before.get("MFADevices", 0) + 2
    assert after["MFADevicesInUse"] == before.get("MFADevicesInUse", 0) + 1


def test_enable_by_name_in_other_case_keeps_the_stored_name(frozen):
    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("Alice")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "ALICE", serial, seed)
    assert listed(iam, UserName="alice") == [("Alice", serial)]
    iam.deactivate_mfa_device(UserName="aLiCe", SerialNumber=serial)
    assert listed(iam, UserName="Alice") == []


def test_serial_must_include_the_path(frozen):
    tessera = frozen
    tessera.create_user("alice")
    serial, seed = virtual_device(tessera.iam(), "dev", Path="/team/")
    pathless = f"{MFA_ARN}/dev"
    with aws_error("NoSuchEntity", 404, message=no_such_device(pathless)):
        enable_device(tessera.iam(), "alice", pathless, seed)
    enable_device(tessera.iam(), "alice", serial, seed)


def test_account_summary_root_mfa(frozen):
    tessera = frozen
    iam = tessera.iam()
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    serial, seed = virtual_device(iam, "root-dev")
    enable_device(iam, ACCOUNT_ID, serial, seed)
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 1
    assert summary["MFADevicesInUse"] == 1


def test_credential_report_mfa_active(frozen):
    import csv
    import io

    tessera = frozen
    iam = tessera.iam()
    tessera.create_user("alice")
    tessera.create_user("bob")
    s_root, seed_root = virtual_device(iam, "root-dev")
    s_alice, seed_alice = virtual_device(iam, "alice-dev")
    enable_device(iam, ACCOUNT_ID, s_root, seed_root)
    enable_device(iam, "alice", s_alice, seed_alice)
    for _ in range(50):
        if iam.generate_credential_report()["State"] == "COMPLETE":
            break
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    assert [(r["user"], r["mfa_active"]) for r in rows] == [
        ("<root_account>", "true"), ("alice", "true"), ("bob", "false")]
