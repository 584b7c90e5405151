"""STS GetSessionToken (sts.md §2–§5): session credentials with and without MFA, what they may
call, expiry, and one acceptance per code under concurrency. Codes come from oathtool/pyotp."""

import datetime as dt
import json
import subprocess
import threading

from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, Creds, aws_error, enable_device, totp_codes
from harness import virtual_device

WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
NOT_ASSOCIATED = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
                  "serial number is valid and associated with this user.")


def session_creds(credentials: dict) -> Creds:
    return Creds(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def user_with_device(tessera, name="alice"):
    """A user with an access key and a virtual device enabled with the two steps before MFA_NOW's,
    so the code of MFA_NOW's own step is still unused."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key(name)
    serial, seed = virtual_device(tessera.iam(), f"{name}-phone")
    enable_device(tessera.iam(), name, serial, seed, step=MFA_STEP - 2)
    return creds, serial, seed


def expiration(credentials: dict) -> dt.datetime:
    return credentials["Expiration"].astimezone(dt.timezone.utc)


def frozen(offset: int = 0) -> dt.datetime:
    return dt.datetime.fromtimestamp(MFA_NOW + offset, dt.timezone.utc)


def test_session_without_mfa_may_not_call_iam(tessera):
    tessera.freeze(MFA_NOW)
    user, creds = tessera.user_with_key("bob")
    got = tessera.sts(creds).get_session_token()["Credentials"]
    assert got["AccessKeyId"].startswith("ASIA") and len(got["AccessKeyId"]) == 20
    assert len(got["SecretAccessKey"]) == 40 and len(got["SessionToken"]) >= 44
    assert expiration(got) == frozen(43_200), "IAM users default to 12 hours"
    session = session_creds(got)
    assert tessera.sts(session).get_caller_identity()["Arn"] == user["Arn"]
    with aws_error("InvalidClientTokenId", 403, "The security token included in the request is invalid."):
        tessera.iam(session).list_users()
    with aws_error("AccessDenied", 403, "Cannot call GetSessionToken with session credentials"):
        tessera.sts(session).get_session_token()


def test_session_with_mfa_may_call_iam_and_the_code_is_spent(tessera):
    creds, serial, seed = user_with_device(tessera)
    tessera.grant("alice", ["iam:ListUsers"])
    (code,) = totp_codes(seed, MFA_NOW, 1)
    got = tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode=code, DurationSeconds=900)
    assert expiration(got["Credentials"]) == frozen(900)
    session = session_creds(got["Credentials"])
    assert [u["UserName"] for u in tessera.iam(session).list_users()["Users"]] == ["alice"]
    # Session callers must name the user for access-key calls (iam-mfa.md §5.6).
    with aws_error("ValidationError", 400, "Must specify userName when calling with non-User credentials"):
        tessera.iam(session).list_access_keys()
    with aws_error("AccessDenied", 403, WRONG_CODE):
        tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode=code)
    # The next step's code works once (any device code after the last accepted step).
    (later,) = totp_codes(seed, MFA_NOW + 30, 1)
    tessera.advance(30)
    tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode=later)


def test_mfa_errors(tessera):
    creds, serial, seed = user_with_device(tessera)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    sts = tessera.sts(creds)
    with aws_error("AccessDenied", 403, contains="must provide both MFA serial number and one time pass code"):
        sts.get_session_token(SerialNumber=serial)
    with aws_error("AccessDenied", 403, contains="must provide both MFA serial number and one time pass code"):
        sts.get_session_token(TokenCode=code)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with aws_error("AccessDenied", 403, WRONG_CODE):
        sts.get_session_token(SerialNumber=serial, TokenCode=wrong)
    # Another principal's device, an unknown serial and any FIDO serial: never (SR-17, SR-26).
    _, bob = tessera.user_with_key("bob")
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        tessera.sts(bob).get_session_token(SerialNumber=serial, TokenCode=code)
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT_ID}:mfa/nothing", TokenCode=code)
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/key-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                              TokenCode=code)
    # Bob's failure did not spend alice's code.
    sts.get_session_token(SerialNumber=serial, TokenCode=code)
    with aws_error("ValidationError", 400, contains="Member must have value less than or equal to 129600"):
        sts.get_session_token(DurationSeconds=129_601)


def test_root_sessions_are_cut_to_an_hour(tessera):
    tessera.freeze(MFA_NOW)
    assert expiration(tessera.sts().get_session_token()["Credentials"]) == frozen(3600)
    got = tessera.sts().get_session_token(DurationSeconds=7200)["Credentials"]
    assert expiration(got) == frozen(3600)
    assert tessera.sts(session_creds(got)).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"


def test_expired_and_forged_sessions(tessera):
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("carol")
    got = tessera.sts(creds).get_session_token(DurationSeconds=900)["Credentials"]
    session = session_creds(got)
    forged = Creds(session.access_key_id, session.secret_access_key, "A" + session.session_token[1:])
    with aws_error("InvalidClientTokenId", 403):
        tessera.sts(forged).get_caller_identity()
    tessera.advance(899)
    tessera.sts(session).get_caller_identity()
    tessera.advance(1)
    with aws_error("ExpiredToken", 403, "The security token included in the request is expired"):
        tessera.sts(session).get_caller_identity()


def test_sessions_die_with_their_user_not_their_key(tessera):
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("dave")
    session = session_creds(tessera.sts(creds).get_session_token()["Credentials"])
    tessera.iam().delete_access_key(UserName="dave", AccessKeyId=creds.access_key_id)
    assert tessera.sts(session).get_caller_identity()["Arn"].endswith(":user/dave")
    tessera.iam().delete_user(UserName="dave")
    with aws_error("InvalidClientTokenId", 403):
        tessera.sts(session).get_caller_identity()


def test_the_same_code_sent_sixteen_times_at_once_wins_once(tessera):
    creds, serial, seed = user_with_device(tessera)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    clients = [tessera.sts(creds) for _ in range(16)]
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def attempt(i):
        barrier.wait()
        try:
            clients[i].get_session_token(SerialNumber=serial, TokenCode=code)
            results[i] = "ok"
        except ClientError as e:
            results[i] = e.response["Error"]["Message"]

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results.count("ok") == 1, results
    assert results.count(WRONG_CODE) == len(clients) - 1, results


def test_aws_cli_get_session_token_with_mfa(tessera, tmp_path):
    creds, serial, seed = user_with_device(tessera)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    env = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "PATH": __import__("os").environ["PATH"],
    }
    cmd = ["aws", "--endpoint-url", tessera.url, "--output", "json", "sts", "get-session-token",
           "--serial-number", serial, "--token-code", code]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Credentials"]["AccessKeyId"].startswith("ASIA")
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert again.returncode != 0 and "AccessDenied" in again.stderr, (again.returncode, again.stderr)


def test_changing_ones_own_devices_needs_an_mfa_session(tessera):
    """SR-23/SR-24 (iam-mfa.md §3.6): the first device needs no MFA; with one held, adding or
    removing one's own devices needs MFA session credentials, and no further permission."""
    creds, first, seed = user_with_device(tessera)
    tessera.grant("alice", ["iam:EnableMFADevice", "iam:DeactivateMFADevice"], f"arn:aws:iam::{ACCOUNT_ID}:user/alice")
    own = tessera.iam(creds)
    second, second_seed = virtual_device(tessera.iam(), "alice-tablet")
    c1, c2 = totp_codes(second_seed, (MFA_STEP - 2) * 30, 2)
    denied = "not authenticated with an existing MFA device"
    with aws_error("AccessDenied", 403, contains=denied):
        own.enable_mfa_device(UserName="alice", SerialNumber=second, AuthenticationCode1=c1, AuthenticationCode2=c2)
    with aws_error("AccessDenied", 403, contains=denied):
        own.deactivate_mfa_device(UserName="alice", SerialNumber=first)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    got = tessera.sts(creds).get_session_token(SerialNumber=first, TokenCode=code)["Credentials"]
    with_mfa = tessera.iam(session_creds(got))
    with_mfa.enable_mfa_device(UserName="alice", SerialNumber=second, AuthenticationCode1=c1, AuthenticationCode2=c2)
    with_mfa.deactivate_mfa_device(UserName="alice", SerialNumber=first)
    assert [d["SerialNumber"] for d in tessera.iam().list_mfa_devices(UserName="alice")["MFADevices"]] == [second]
    # Another principal removing alice's device is governed by policy only (a lost device, SR-14).
    tessera.iam().deactivate_mfa_device(UserName="alice", SerialNumber=second)
    assert tessera.iam().list_mfa_devices(UserName="alice")["MFADevices"] == []


def test_guessing_serials_throttles_the_caller(tessera):
    """iam-mfa.md §2.5: serials the caller does not hold count against the caller; while it is
    locked even its own device's right code fails exactly like a wrong code."""
    creds, serial, seed = user_with_device(tessera)
    sts = tessera.sts(creds)
    for guess in range(5):
        with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
            sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT_ID}:mfa/guess-{guess}", TokenCode="123456")
    (code,) = totp_codes(seed, MFA_NOW, 1)
    with aws_error("AccessDenied", 403, WRONG_CODE):
        sts.get_session_token(SerialNumber=serial, TokenCode=code)
    tessera.advance(60)
    (code,) = totp_codes(seed, MFA_NOW + 60, 1)
    sts.get_session_token(SerialNumber=serial, TokenCode=code)
