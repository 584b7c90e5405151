"""Audit records of API calls (cloudtrail.md §1–§3, iam-mfa.md §7, SR-34/35), read back with
boto3's CloudTrail client: who called, with which MFA device, what was asked, what came back —
and never a code, a secret key or a session token."""

import json
import threading

import pytest
from botocore.exceptions import ClientError

import harness

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, Creds, totp_codes, totp_pair, virtual_device

WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."


def records(tessera, name: str) -> list[dict]:
    """Every record of `name`, newest first, as parsed CloudTrail JSON."""
    trail = tessera.client("cloudtrail")
    events = []
    for page in trail.get_paginator("lookup_events").paginate(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}]):
        events.extend(page["Events"])
    return [json.loads(event["CloudTrailEvent"]) for event in events]


def only(tessera, name: str) -> dict:
    found = records(tessera, name)
    assert len(found) == 1, found
    return found[0]


def session_creds(credentials: dict) -> Creds:
    return Creds(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def user_with_device(tessera, name="alice"):
    tessera.freeze(MFA_NOW)
    user, creds = tessera.user_with_key(name)
    serial, seed = virtual_device(tessera.iam(), f"{name}-phone")
    c1, c2 = totp_pair(seed, MFA_STEP - 2)
    tessera.iam().enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=c1,
                                    AuthenticationCode2=c2)
    return user, creds, serial, seed, (c1, c2)


def test_get_session_token_records_the_device_used(tessera):
    user, creds, serial, seed, _ = user_with_device(tessera)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    got = tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode=code,
                                               DurationSeconds=900)["Credentials"]
    record = only(tessera, "GetSessionToken")
    assert record["eventSource"] == "sts.amazonaws.com"
    assert record["userIdentity"] == {
        "type": "IAMUser", "principalId": user["UserId"], "arn": user["Arn"],
        "accountId": ACCOUNT_ID, "accessKeyId": creds.access_key_id, "userName": "alice",
    }
    # SR-34: the serial of the device used; never the code.
    assert record["requestParameters"] == {"durationSeconds": 900, "serialNumber": serial}
    assert record["responseElements"]["credentials"]["accessKeyId"] == got["AccessKeyId"]
    assert set(record["responseElements"]["credentials"]) == {"accessKeyId", "expiration"}
    text = json.dumps(record)
    for secret in (code, got["SecretAccessKey"], got["SessionToken"], creds.secret_access_key):
        assert secret not in text
    assert record["eventTime"] == "2027-01-15T08:00:10Z"
    assert record["readOnly"] is True and record["eventType"] == "AwsApiCall"

    # Without MFA: no serialNumber at all. (Both calls carry the same frozen second.)
    plain = tessera.sts(creds).get_session_token()["Credentials"]
    (without,) = [r for r in records(tessera, "GetSessionToken")
                  if r["responseElements"]["credentials"]["accessKeyId"] == plain["AccessKeyId"]]
    assert without["requestParameters"] is None


def test_a_refused_code_is_recorded_with_the_error(tessera):
    _, creds, serial, _, _ = user_with_device(tessera)
    try:
        tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode="000000")
        raise AssertionError("a wrong code was accepted")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied"
    record = only(tessera, "GetSessionToken")
    assert record["errorCode"] == "AccessDenied"
    assert record["errorMessage"] == WRONG_CODE
    assert record["requestParameters"] == {"serialNumber": serial}
    assert record["responseElements"] is None


def test_device_changes_name_both_the_user_and_the_device(tessera):
    """SR-35: from the records one can tell which user and which device."""
    _, _, serial, _, codes = user_with_device(tessera)
    created = only(tessera, "CreateVirtualMFADevice")
    assert created["requestParameters"] == {"virtualMFADeviceName": "alice-phone"}
    assert created["responseElements"] == {"virtualMFADevice": {"serialNumber": serial}}
    enabled = only(tessera, "EnableMFADevice")
    assert enabled["requestParameters"] == {"serialNumber": serial, "userName": "alice"}
    assert enabled["responseElements"] is None
    assert enabled["userIdentity"]["type"] == "Root"
    assert enabled["userIdentity"]["principalId"] == ACCOUNT_ID
    for code in codes:
        assert code not in json.dumps(enabled)

    tessera.iam().deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    tessera.iam().delete_virtual_mfa_device(SerialNumber=serial)
    assert only(tessera, "DeactivateMFADevice")["requestParameters"] == {
        "serialNumber": serial, "userName": "alice"}
    assert only(tessera, "DeleteVirtualMFADevice")["requestParameters"] == {"serialNumber": serial}


def test_session_callers_carry_their_session_context(tessera):
    _, creds, serial, seed, _ = user_with_device(tessera)
    tessera.grant("alice", ["iam:ListUsers"])
    (code,) = totp_codes(seed, MFA_NOW, 1)
    session = session_creds(tessera.sts(creds).get_session_token(SerialNumber=serial,
                                                                 TokenCode=code)["Credentials"])
    tessera.advance(60)
    tessera.iam(session).list_users()
    identity = only(tessera, "ListUsers")["userIdentity"]
    assert identity["accessKeyId"] == session.access_key_id
    assert identity["sessionContext"] == {
        "sessionIssuer": {}, "webIdFederationData": {},
        "attributes": {"creationDate": "2027-01-15T08:00:10Z", "mfaAuthenticated": "true"},
    }


def test_role_sessions_are_named_with_their_role(tessera):
    user, creds, serial, seed, _ = user_with_device(tessera)
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]}
    role = tessera.iam().create_role(RoleName="auditor",
                                     AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    got = tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="night-shift")
    assumed = only(tessera, "AssumeRole")
    assert assumed["requestParameters"] == {"roleArn": role["Arn"], "roleSessionName": "night-shift"}
    response = assumed["responseElements"]
    assert response["credentials"]["accessKeyId"] == got["Credentials"]["AccessKeyId"]
    assert "sessionToken" not in response["credentials"]
    assert response["assumedRoleUser"]["arn"] == got["AssumedRoleUser"]["Arn"]

    role_creds = session_creds(got["Credentials"])
    tessera.sts(role_creds).get_caller_identity()
    identity = only(tessera, "GetCallerIdentity")["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/auditor/night-shift"
    assert identity["sessionContext"]["sessionIssuer"] == {
        "type": "Role", "principalId": role["RoleId"], "arn": role["Arn"],
        "accountId": ACCOUNT_ID, "userName": "auditor",
    }
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"

    # Assumed with a code: the role session's records say so (its requests still carry no MFA
    # context into policies, sts.md §6).
    (code,) = totp_codes(seed, MFA_NOW, 1)
    with_mfa = tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="on-call",
                                              SerialNumber=serial, TokenCode=code)
    tessera.sts(session_creds(with_mfa["Credentials"])).get_caller_identity()
    (latest,) = [r for r in records(tessera, "GetCallerIdentity")
                 if r["userIdentity"]["arn"].endswith("/on-call")]
    assert latest["userIdentity"]["sessionContext"]["attributes"] == {
        "creationDate": "2027-01-15T08:00:10Z", "mfaAuthenticated": "true"}
    (assumed_with_mfa,) = [r for r in records(tessera, "AssumeRole")
                           if r["requestParameters"]["roleSessionName"] == "on-call"]
    assert assumed_with_mfa["requestParameters"]["serialNumber"] == serial
    assert "tokenCode" not in assumed_with_mfa["requestParameters"]


def test_each_racing_call_has_exactly_its_own_record(tessera):
    """16 CreateUser of one name at once: one success, fifteen EntityAlreadyExists, and as many
    records of each — the record commits with the change or not at all."""
    outcomes = []
    lock = threading.Lock()

    def create():
        iam = tessera.iam()
        try:
            iam.create_user(UserName="racer")
            result = "ok"
        except ClientError as error:
            result = error.response["Error"]["Code"]
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["EntityAlreadyExists"] * 15 + ["ok"]
    found = records(tessera, "CreateUser")
    assert len(found) == 16
    assert len({r["eventID"] for r in found}) == 16
    assert sum(1 for r in found if "errorCode" not in r) == 1
    assert sum(1 for r in found if r.get("errorCode") == "EntityAlreadyExists") == 15


def forwarded_lookup(url: str, forwarded_for: str) -> str:
    """Calls GetUser through a client that adds `X-Forwarded-For`; the record's sourceIPAddress."""
    iam = harness.client(url, "iam")
    iam.meta.events.register("before-sign.iam.*",
                             lambda request, **_: request.headers.add_header("X-Forwarded-For",
                                                                             forwarded_for))
    iam.get_user()
    trail = harness.client(url, "cloudtrail")
    (event,) = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetUser"}])["Events"]
    return json.loads(event["CloudTrailEvent"])["sourceIPAddress"]


@pytest.mark.parametrize("trusted, expected", [(None, "127.0.0.1"), ("127.0.0.1", "198.51.100.7")])
def test_forwarded_addresses_count_only_from_trusted_proxies(fresh_database, tmp_path, binary,
                                                            trusted, expected):
    args = ["--audit-trusted-proxies", trusted] if trusted else []
    srv = harness.TesseraServer(fresh_database, tmp_path / "serve.log", test_mode=False,
                                audit_dir=tmp_path / "audit", extra_args=args).start()
    try:
        assert forwarded_lookup(srv.url, "203.0.113.1, 198.51.100.7") == expected
    finally:
        srv.stop()
