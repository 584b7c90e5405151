"""Raw wire cases: SigV4 failures, presigned URLs, envelopes, common errors (wire-protocol.md)."""

import datetime as dt
import email.utils
import re

import pytest
import requests

import harness
from harness import (ACCOUNT_ID, IAM_NS, IAM_VERSION, ISO_Z, ROOT, ROOT_ACCESS_KEY_ID, STS_NS,
                     STS_VERSION, UUID4, Creds, assert_raw_error, child, parse_xml, strip_ns)

INVALID_TOKEN = "The security token included in the request is invalid."
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")
AMZ = "%Y%m%dT%H%M%SZ"


def list_users(**extra):
    return {"Action": "ListUsers", "Version": IAM_VERSION, **extra}


def caller_identity():
    return {"Action": "GetCallerIdentity", "Version": STS_VERSION}


def assert_success(resp, action, ns):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/xml"), resp.headers
    root = parse_xml(resp)
    assert root.tag == "{%s}%sResponse" % (ns, action), resp.text
    meta = child(root, "ResponseMetadata")
    rid = child(meta, "RequestId").text
    assert UUID4.match(rid), rid
    assert resp.headers["x-amzn-RequestId"] == rid
    assert "Date" in resp.headers and email.utils.parsedate_to_datetime(resp.headers["Date"])
    return root


# --- Success envelopes -----------------------------------------------------------------------


def test_success_envelope_with_result(tessera):
    resp = tessera.raw(list_users())
    root = assert_success(resp, "ListUsers", IAM_NS)
    names = [strip_ns(c.tag) for c in root]
    assert names == ["ListUsersResult", "ResponseMetadata"], names
    result = child(root, "ListUsersResult")
    users = child(result, "Users")
    assert users is not None and len(users) == 0  # required empty list: <Users/>
    assert child(result, "IsTruncated").text == "false"
    assert child(result, "Marker") is None


def test_success_envelope_without_result(tessera):
    tessera.create_user("alice")
    resp = tessera.raw({"Action": "TagUser", "Version": IAM_VERSION, "UserName": "alice",
                        "Tags.member.1.Key": "a", "Tags.member.1.Value": "b"})
    root = assert_success(resp, "TagUser", IAM_NS)
    assert [strip_ns(c.tag) for c in root] == ["ResponseMetadata"]
    resp = tessera.raw({"Action": "DeleteUser", "Version": IAM_VERSION, "UserName": "alice"})
    root = assert_success(resp, "DeleteUser", IAM_NS)
    assert [strip_ns(c.tag) for c in root] == ["ResponseMetadata"]


def test_user_element_order_and_timestamp_format(tessera):
    resp = tessera.raw({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": "bob",
                        "Path": "/p/"})
    root = assert_success(resp, "CreateUser", IAM_NS)
    user = child(child(root, "CreateUserResult"), "User")
    assert [strip_ns(c.tag) for c in user] == ["Path", "UserName", "UserId", "Arn", "CreateDate"]
    assert ISO_Z.match(child(user, "CreateDate").text), child(user, "CreateDate").text


def test_sts_envelope(tessera):
    resp = tessera.raw(caller_identity(), service="sts")
    root = assert_success(resp, "GetCallerIdentity", STS_NS)
    result = child(root, "GetCallerIdentityResult")
    assert [(strip_ns(c.tag), c.text) for c in result] == [
        ("UserId", ACCOUNT_ID), ("Account", ACCOUNT_ID),
        ("Arn", f"arn:aws:iam::{ACCOUNT_ID}:root")]


def test_summary_map_is_entry_key_value(tessera):
    resp = tessera.raw({"Action": "GetAccountSummary", "Version": IAM_VERSION})
    root = assert_success(resp, "GetAccountSummary", IAM_NS)
    smap = child(child(root, "GetAccountSummaryResult"), "SummaryMap")
    entries = list(smap)
    assert len(entries) == 34
    for e in entries:
        assert strip_ns(e.tag) == "entry"
        assert [strip_ns(c.tag) for c in e] == ["key", "value"]
        assert re.fullmatch(r"\d+", child(e, "value").text)


def test_request_ids_are_fresh(tessera):
    ids = {tessera.raw(list_users()).headers["x-amzn-RequestId"] for _ in range(5)}
    assert len(ids) == 5


def test_plus_in_body_is_space(tessera):
    # wire-protocol.md §2.2: form bodies decode `+` as a space.
    tessera.create_user("carol")
    body = ("Action=TagUser&Version=2010-05-08&UserName=carol"
            "&Tags.member.1.Key=cost+center&Tags.member.1.Value=a%2Bb+c")
    assert tessera.raw(body=body).status_code == 200
    tags = tessera.iam().list_user_tags(UserName="carol")["Tags"]
    assert tags == [{"Key": "cost center", "Value": "a+b c"}]


def test_get_with_query_string(tessera):
    # GET carries its parameters in the query string; sign it with botocore.
    url = tessera.url + "/?Action=ListUsers&Version=2010-05-08&MaxItems=5"
    hdrs = harness.sign("GET", url, None, ROOT, "iam")
    resp = requests.get(url, headers=hdrs, timeout=30)
    assert_success(resp, "ListUsers", IAM_NS)


# --- Error envelopes and common errors -------------------------------------------------------


def test_missing_authentication_token(tessera):
    resp = tessera.raw(list_users(), creds=None)
    e = assert_raw_error(resp, 403, "MissingAuthenticationToken",
                         "Request is missing Authentication Token", ns=IAM_NS)
    assert UUID4.match(e["RequestId"])
    root = parse_xml(resp)
    assert [strip_ns(c.tag) for c in root] == ["Error", "RequestId"]
    assert [strip_ns(c.tag) for c in child(root, "Error")] == ["Type", "Code", "Message"]


def test_missing_authentication_token_sts_namespace(tessera):
    resp = tessera.raw(caller_identity(), creds=None)
    assert_raw_error(resp, 403, "MissingAuthenticationToken",
                     "Request is missing Authentication Token", ns=STS_NS)


def test_unknown_access_key(tessera):
    resp = tessera.raw(list_users(), creds=Creds("AKIAAAAAAAAAAAAAAAAA", "z" * 40))
    assert_raw_error(resp, 403, "InvalidClientTokenId", INVALID_TOKEN, ns=IAM_NS)


@pytest.mark.parametrize("akid", ["ASIAAAAAAAAAAAAAAAAA", "AIDAAAAAAAAAAAAAAAAA", "nonsense"])
def test_other_key_prefixes(tessera, akid):
    resp = tessera.raw(list_users(), creds=Creds(akid, "z" * 40))
    assert_raw_error(resp, 403, "InvalidClientTokenId")


def test_session_token_with_long_term_key(tessera):
    resp = tessera.raw(list_users(), creds=Creds(ROOT.access_key_id, ROOT.secret_access_key,
                                                 "c29tZS10b2tlbg=="))
    assert_raw_error(resp, 403, "InvalidClientTokenId")


def test_wrong_secret(tessera):
    resp = tessera.raw(list_users(), creds=Creds(ROOT_ACCESS_KEY_ID, "w" * 40))
    assert_raw_error(resp, 403, "SignatureDoesNotMatch", MISMATCH)


def test_tampered_body(tessera):
    body = harness.form(list_users())
    resp = tessera.raw(body=body, send_body=body + "&MaxItems=1")
    assert_raw_error(resp, 403, "SignatureDoesNotMatch", MISMATCH)


def test_tampered_signed_header(tessera):
    url = tessera.url + "/"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam")
    hdrs["X-Amz-Date"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)).strftime(AMZ)
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert_raw_error(resp, 403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_clock_skew(tessera, minutes):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    resp = tessera.raw(list_users(), when=when)
    e = assert_raw_error(resp, 403, "SignatureDoesNotMatch")
    stamp = when.strftime(AMZ)
    if minutes < 0:
        assert re.fullmatch(
            rf"Signature expired: {stamp} is now earlier than \d{{8}}T\d{{6}}Z "
            rf"\(\d{{8}}T\d{{6}}Z - 15 min\.\)", e["Message"]), e
    else:
        assert re.fullmatch(
            rf"Signature not yet current: {stamp} is still later than \d{{8}}T\d{{6}}Z "
            rf"\(\d{{8}}T\d{{6}}Z \+ 15 min\.\)", e["Message"]), e


def test_skew_inside_window_is_fine(tessera):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    assert tessera.raw(list_users(), when=when).status_code == 200


def test_skew_is_checked_against_real_time_not_test_clock(tessera):
    # test-mode.md: SigV4 freshness always uses the real time.
    tessera.set_clock({"advance_seconds": 3 * 3600})
    assert tessera.raw(list_users()).status_code == 200


def test_presigned_get_caller_identity(tessera):
    url = harness.presign(tessera.url, caller_identity(), ROOT, "sts")
    assert "X-Amz-Signature=" in url and "Authorization" not in url
    resp = requests.get(url, timeout=30)
    root = assert_success(resp, "GetCallerIdentity", STS_NS)
    assert child(child(root, "GetCallerIdentityResult"), "Arn").text.endswith(":root")


def test_presigned_list_users_via_boto3(tessera):
    tessera.create_user("dave")
    url = tessera.iam().generate_presigned_url("list_users", Params={"MaxItems": 10},
                                               ExpiresIn=120, HttpMethod="GET")
    resp = requests.get(url, timeout=30)
    root = assert_success(resp, "ListUsers", IAM_NS)
    users = child(child(root, "ListUsersResult"), "Users")
    assert [child(m, "UserName").text for m in users] == ["dave"]


def test_presigned_sts_via_boto3_as_user(tessera):
    _, creds = tessera.user_with_key("erin")
    url = tessera.sts(creds).generate_presigned_url("get_caller_identity", ExpiresIn=60,
                                                    HttpMethod="GET")
    resp = requests.get(url, timeout=30)
    root = assert_success(resp, "GetCallerIdentity", STS_NS)
    assert child(child(root, "GetCallerIdentityResult"), "Arn").text.endswith(":user/erin")


def test_presigned_tampered_query(tessera):
    url = harness.presign(tessera.url, list_users(MaxItems="5"), ROOT, "iam")
    resp = requests.get(url.replace("MaxItems=5", "MaxItems=6"), timeout=30)
    assert_raw_error(resp, 403, "SignatureDoesNotMatch")


def test_presigned_expired(tessera):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    url = harness.presign(tessera.url, caller_identity(), ROOT, "sts", expires=60, when=when)
    resp = requests.get(url, timeout=30)
    assert_raw_error(resp, 400, "RequestExpired")


def test_presigned_and_header_together(tessera):
    url = harness.presign(tessera.url, caller_identity(), ROOT, "sts")
    hdrs = harness.sign("GET", url, None, ROOT, "sts")
    resp = requests.get(url, headers=hdrs, timeout=30)
    assert_raw_error(resp, 400, "IncompleteSignature")


@pytest.mark.parametrize("mangle,status,code", [
    (lambda a: a.replace("Signature=", "Sig="), 400, "IncompleteSignature"),
    (lambda a: re.sub(r", SignedHeaders=[^,]*", "", a), 400, "IncompleteSignature"),
    (lambda a: re.sub(r"Credential=[^,]*", "Credential=AKIATESSERAROOT2KEY7/20240101", a),
     400, "IncompleteSignature"),
    (lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), 400,
     "IncompleteSignature"),
    (lambda a: re.sub(r"Signature=[0-9a-f]+", "Signature=XYZ", a), 400, "IncompleteSignature"),
    (lambda a: a.replace("SignedHeaders=content-type;host;x-amz-date",
                         "SignedHeaders=content-type;x-amz-date"), 400, "IncompleteSignature"),
    (lambda a: re.sub(r"/iam/aws4_request", "/sts/aws4_request", a), 403,
     "SignatureDoesNotMatch"),
    (lambda a: re.sub(r"/aws4_request", "/aws5_request", a), 403, "SignatureDoesNotMatch"),
    (lambda a: re.sub(r"/(\d{8})/", "/19990101/", a), 403, "SignatureDoesNotMatch"),
])
def test_malformed_authorization(tessera, mangle, status, code):
    url = tessera.url + "/"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam")
    assert "SignedHeaders=content-type;host;x-amz-date" in hdrs["Authorization"]
    hdrs["Authorization"] = mangle(hdrs["Authorization"])
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert_raw_error(resp, status, code)


def test_wrong_service_scope_message(tessera):
    resp = tessera.raw(list_users(), service="sts")
    assert_raw_error(resp, 403, "SignatureDoesNotMatch",
                     "Credential should be scoped to correct service: 'iam'. ")


def test_missing_x_amz_date(tessera):
    url = tessera.url + "/"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam")
    del hdrs["X-Amz-Date"]
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert_raw_error(resp, 400, "IncompleteSignature")


def test_unsigned_payload_is_refused(tessera):
    url = tessera.url + "/"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam",
                        headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert resp.status_code in (400, 403), resp.text
    assert resp.status_code != 200


def test_missing_required_parameter(tessera):
    resp = tessera.raw({"Action": "DeleteUser", "Version": IAM_VERSION})
    assert_raw_error(resp, 400, "ValidationError",
                     "1 validation error detected: Value null at 'userName' failed to satisfy "
                     "constraint: Member must not be null")


def test_wrong_version(tessera):
    resp = tessera.raw({"Action": "ListUsers", "Version": "2010-05-09"})
    assert_raw_error(resp, 400, "InvalidAction",
                     "Could not find operation ListUsers for version 2010-05-09")


def test_iam_action_with_sts_version(tessera):
    resp = tessera.raw({"Action": "ListUsers", "Version": STS_VERSION}, service="sts")
    assert_raw_error(resp, 400, "InvalidAction",
                     f"Could not find operation ListUsers for version {STS_VERSION}", ns=STS_NS)


def test_version_and_scope_disagree(tessera):
    # wire-protocol.md §1: Version selects STS, the scope says iam.
    resp = tessera.raw(caller_identity(), service="iam")
    assert_raw_error(resp, 403, "SignatureDoesNotMatch")


def test_unknown_action(tessera):
    resp = tessera.raw({"Action": "FlyToTheMoon", "Version": IAM_VERSION})
    assert_raw_error(resp, 400, "InvalidAction",
                     "Could not find operation FlyToTheMoon for version 2010-05-08", ns=IAM_NS)


def test_missing_action(tessera):
    resp = tessera.raw({"Version": IAM_VERSION})
    assert_raw_error(resp, 400, "MissingAction")


def test_missing_version(tessera):
    resp = tessera.raw({"Action": "ListUsers"})
    assert_raw_error(resp, 400, "MissingParameter")


def test_duplicate_parameter(tessera):
    resp = tessera.raw(body="Action=ListUsers&Version=2010-05-08&MaxItems=1&MaxItems=2")
    assert_raw_error(resp, 400, "ValidationError")


def test_non_numeric_integer(tessera):
    resp = tessera.raw(list_users(MaxItems="ten"))
    assert_raw_error(resp, 400, "ValidationError")


def test_bad_boolean(tessera):
    tessera.create_user("frank")
    resp = tessera.raw({"Action": "CreateLoginProfile", "Version": IAM_VERSION,
                        "UserName": "frank", "Password": "Str0ng-Passw0rd",
                        "PasswordResetRequired": "yes"})
    assert_raw_error(resp, 400, "ValidationError")


def test_invalid_utf8(tessera):
    resp = tessera.raw(body="Action=CreateUser&Version=2010-05-08&UserName=%FF%FE")
    assert_raw_error(resp, 400, "MalformedQueryString")


def test_unknown_parameters_are_ignored(tessera):
    resp = tessera.raw(list_users(SomethingNew="1"))
    assert resp.status_code == 200, resp.text


def test_list_index_zero(tessera):
    tessera.create_user("gina")
    resp = tessera.raw({"Action": "TagUser", "Version": IAM_VERSION, "UserName": "gina",
                        "Tags.member.0.Key": "a", "Tags.member.0.Value": "b"})
    assert_raw_error(resp, 400, "ValidationError")


def test_list_with_gaps_is_ordered_by_index(tessera):
    tessera.create_user("hank")
    resp = tessera.raw({"Action": "TagUser", "Version": IAM_VERSION, "UserName": "hank",
                        "Tags.member.7.Key": "b", "Tags.member.7.Value": "2",
                        "Tags.member.2.Key": "a", "Tags.member.2.Value": "1"})
    assert resp.status_code == 200, resp.text
    tags = tessera.iam().list_user_tags(UserName="hank")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "1"), ("b", "2")]


def test_other_method_is_405(tessera):
    resp = requests.put(tessera.url + "/", data="Action=ListUsers&Version=2010-05-08",
                        timeout=30)
    assert resp.status_code == 405
    assert harness.error_of(resp)["Code"] == "InvalidAction"


def test_body_too_large(tessera):
    body = "Action=ListUsers&Version=2010-05-08&Pad=" + "a" * (1024 * 1024 + 10)
    resp = requests.post(tessera.url + "/", data=body,
                         headers={"Content-Type": harness.FORM}, timeout=60)
    assert resp.status_code == 413
    assert harness.error_of(resp)["Code"] == "RequestEntityTooLarge"


def test_non_form_content_type_contributes_nothing(tessera):
    url = tessera.url + "/"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam", headers={"Content-Type": "text/plain"})
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert_raw_error(resp, 400, "MissingAction")


# --- Test-mode endpoints ---------------------------------------------------------------------


def test_health(tessera):
    assert requests.get(tessera.url + "/health", timeout=10).status_code == 200


def test_reset_keeps_root_and_wipes_users(tessera):
    tessera.user_with_key("ivan")
    tessera.iam().create_account_alias(AccountAlias="to-be-wiped")
    tessera.reset()
    assert tessera.iam().list_users()["Users"] == []
    assert tessera.iam().list_account_aliases()["AccountAliases"] == []
    assert tessera.sts().get_caller_identity()["Arn"].endswith(":root")
    keys = tessera.iam().list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [ROOT_ACCESS_KEY_ID]


def test_clock_get_set_advance_real(tessera):
    now = tessera.clock()
    assert now["frozen"] is False
    assert harness.near_now(dt.datetime.fromisoformat(now["now"].replace("Z", "+00:00")))
    frozen = tessera.set_clock({"now": "2030-01-02T03:04:05Z"})
    assert frozen["frozen"] is True
    assert dt.datetime.fromisoformat(frozen["now"].replace("Z", "+00:00")) == dt.datetime(
        2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert tessera.clock() == frozen
    moved = tessera.set_clock({"advance_seconds": 90})
    assert dt.datetime.fromisoformat(moved["now"].replace("Z", "+00:00")) == dt.datetime(
        2030, 1, 2, 3, 5, 35, tzinfo=dt.timezone.utc)
    user = tessera.create_user("judy")
    assert user["CreateDate"] == dt.datetime(2030, 1, 2, 3, 5, 35, tzinfo=dt.timezone.utc)
    real = tessera.set_clock({"real": True})
    assert real["frozen"] is False
    assert harness.near_now(dt.datetime.fromisoformat(real["now"].replace("Z", "+00:00")))


@pytest.mark.parametrize("body", [{"now": "yesterday"}, {"advance_seconds": -5},
                                  {"advance_seconds": "ten"}, {}, {"bogus": 1}])
def test_clock_bad_body(tessera, body):
    r = requests.post(tessera.url + "/_tessera/clock", json=body, timeout=10)
    assert r.status_code == 400, r.text
    assert isinstance(r.json().get("error"), str) and r.json()["error"]


# --- More SigV4 and parsing edges ------------------------------------------------------------


def test_content_sha256_must_match_body(tessera):
    import hashlib

    url = tessera.url + "/"
    body = harness.form(list_users())
    other = hashlib.sha256(b"something else").hexdigest()
    hdrs = harness.sign("POST", url, body, ROOT, "iam", headers={"X-Amz-Content-SHA256": other})
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert resp.status_code in (400, 403), resp.text
    assert harness.error_of(resp)["Code"] in ("SignatureDoesNotMatch", "IncompleteSignature")


def test_content_sha256_matching_body_is_fine(tessera):
    import hashlib

    url = tessera.url + "/"
    body = harness.form(list_users())
    digest = hashlib.sha256(body.encode()).hexdigest()
    hdrs = harness.sign("POST", url, body, ROOT, "iam", headers={"X-Amz-Content-SHA256": digest})
    assert requests.post(url, data=body, headers=hdrs, timeout=30).status_code == 200


@pytest.mark.parametrize("expires", [0, 604801])
def test_presigned_expires_out_of_range(tessera, expires):
    url = harness.presign(tessera.url, caller_identity(), ROOT, "sts", expires=expires)
    assert_raw_error(requests.get(url, timeout=30), 400, "IncompleteSignature")


def test_presigned_from_the_future(tessera):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)
    url = harness.presign(tessera.url, caller_identity(), ROOT, "sts", when=when)
    e = assert_raw_error(requests.get(url, timeout=30), 403, "SignatureDoesNotMatch")
    assert e["Message"].startswith("Signature not yet current: "), e


def test_presigned_wrong_secret(tessera):
    url = harness.presign(tessera.url, caller_identity(), Creds(ROOT_ACCESS_KEY_ID, "v" * 40), "sts")
    assert_raw_error(requests.get(url, timeout=30), 403, "SignatureDoesNotMatch", MISMATCH)


def test_presigned_unknown_key(tessera):
    url = harness.presign(tessera.url, caller_identity(), Creds("AKIAAAAAAAAAAAAAAAAA", "v" * 40),
                          "sts")
    assert_raw_error(requests.get(url, timeout=30), 403, "InvalidClientTokenId", INVALID_TOKEN)


def test_sigv2_is_refused(tessera):
    params = {"Action": "ListUsers", "Version": IAM_VERSION, "AWSAccessKeyId": ROOT_ACCESS_KEY_ID,
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256",
              "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "Signature": "dGhpcyBpcyBub3QgYSBzaWduYXR1cmU="}
    resp = tessera.raw(params, creds=None)
    assert_raw_error(resp, 400, "IncompleteSignature")


def test_parameter_in_query_and_body_is_duplicate(tessera):
    url = tessera.url + "/?MaxItems=1"
    body = harness.form(list_users(MaxItems="2"))
    hdrs = harness.sign("POST", url, body, ROOT, "iam")
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    assert_raw_error(resp, 400, "ValidationError")


def test_query_and_body_parameters_merge(tessera):
    for i in range(3):
        tessera.create_user(f"q{i}")
    url = tessera.url + "/?MaxItems=1"
    body = harness.form(list_users())
    hdrs = harness.sign("POST", url, body, ROOT, "iam")
    resp = requests.post(url, data=body, headers=hdrs, timeout=30)
    root = assert_success(resp, "ListUsers", IAM_NS)
    assert len(child(child(root, "ListUsersResult"), "Users")) == 1


def test_empty_path_prefix_is_validation_error(tessera):
    resp = tessera.raw(list_users(PathPrefix=""))
    assert_raw_error(resp, 400, "ValidationError",
                     "1 validation error detected: Value '' at 'pathPrefix' failed to satisfy "
                     "constraint: Member must have length greater than or equal to 1")


def test_region_is_taken_from_the_scope(tessera):
    resp = tessera.raw(list_users(), region="ap-south-2")
    assert resp.status_code == 200, resp.text
