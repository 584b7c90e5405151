"""CloudTrail LookupEvents over the JSON 1.1 protocol (cloudtrail.md §8) with boto3's `cloudtrail`
client and the AWS CLI: the records of real calls found by each attribute and time, paging with
botocore's paginator and the CLI's, every error with status 400 and its `__type`, scope and
authorization."""

import datetime as dt
import json

import pytest
import requests

from harness import ACCOUNT_ID, ROOT, Creds, aws_error, sign
from test_aws_cli import Cli

TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
JSON_11 = "application/x-amz-json-1.1"
# A frozen instant (test-mode.md), so event times are known to the second.
T = 1_800_000_000


def at(unix: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc)


def session_creds(credentials: dict) -> Creds:
    return Creds(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def lookup_all(ct, **kw) -> list[dict]:
    """Every matching event, through botocore's paginator."""
    return [e for page in ct.get_paginator("lookup_events").paginate(**kw) for e in page["Events"]]


def by_name(name: str) -> list[dict]:
    return [{"AttributeKey": "EventName", "AttributeValue": name}]


def users_created_one_second_apart(tessera, count: int) -> list[str]:
    """`count` CreateUser calls, each a second after the last; the names newest first."""
    tessera.freeze(T)
    iam = tessera.iam()
    names = []
    for n in range(count):
        name = f"u{n:03}"
        iam.create_user(UserName=name)
        names.append(name)
        tessera.advance(1)
    return names[::-1]


def created_user(event: dict) -> str:
    (resource,) = event["Resources"]
    assert resource["ResourceType"] == "AWS::IAM::User", event
    return resource["ResourceName"]


def raw(tessera, body: bytes | str, target: str = TARGET + "LookupEvents", creds: Creds = ROOT,
        content_type: str = JSON_11) -> requests.Response:
    """A LookupEvents-shaped request signed by botocore's SigV4 signer for `cloudtrail`."""
    url = tessera.url.rstrip("/") + "/"
    headers = sign("POST", url, body, creds, "cloudtrail",
                   headers={"Content-Type": content_type, "X-Amz-Target": target})
    data = body.encode() if isinstance(body, str) else body
    return requests.post(url, data=data, headers=headers, timeout=30)


def assert_json_error(resp: requests.Response, code: str) -> dict:
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert resp.headers["Content-Type"] == JSON_11, resp.headers
    assert resp.headers.get("x-amzn-RequestId"), resp.headers
    body = resp.json()
    assert body["__type"] == code, body
    assert isinstance(body["message"], str), body
    return body


class LookupCli(Cli):
    """`aws cloudtrail lookup-events` with explicit credentials and nothing from this machine's
    configuration."""

    def run(self, *args, **kw):
        return super().run("cloudtrail", "lookup-events", *args, **kw)


@pytest.fixture
def cli(tessera, tmp_path):
    return LookupCli(tessera.url, tmp_path)


# --- the wire --------------------------------------------------------------------------------


def test_an_account_without_records_has_no_events(tessera):
    resp = tessera.client("cloudtrail").lookup_events()
    assert resp["Events"] == [] and "NextToken" not in resp
    headers = resp["ResponseMetadata"]["HTTPHeaders"]
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert headers["content-type"] == JSON_11
    assert headers["x-amzn-requestid"] == resp["ResponseMetadata"]["RequestId"]
    assert tessera.client("cloudtrail").lookup_events(LookupAttributes=by_name("CreateUser"))["Events"] == []
    # An empty JSON object is the body the CLI sends without options; by now the account has
    # the records of the two lookups above (cloudtrail.md §3.4).
    resp = raw(tessera, "{}")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == JSON_11
    assert [e["EventName"] for e in resp.json()["Events"]] == ["LookupEvents", "LookupEvents"]


def test_lookup_events_is_itself_recorded(tessera):
    ct = tessera.client("cloudtrail")
    first = ct.lookup_events(LookupAttributes=by_name("CreateUser"), MaxResults=1)
    assert "NextToken" not in first
    with aws_error("InvalidNextTokenException", 400):
        ct.lookup_events(LookupAttributes=by_name("CreateUser"), MaxResults=1, NextToken="not-a-token")
    recorded = [json.loads(e["CloudTrailEvent"])
                for e in ct.lookup_events(LookupAttributes=by_name("LookupEvents"))["Events"]]
    assert len(recorded) == 2
    failed = [r for r in recorded if "errorCode" in r]
    assert len(failed) == 1 and failed[0]["errorCode"] == "InvalidNextTokenException"
    for record in recorded:
        assert record["eventSource"] == "cloudtrail.amazonaws.com"
        assert record["readOnly"] is True and record["responseElements"] is None
        assert record["requestParameters"] == {
            "lookupAttributes": [{"attributeKey": "EventName", "attributeValue": "CreateUser"}],
            "maxResults": 1,
        }, "nextToken is never recorded"
        assert record["userIdentity"]["type"] == "Root"


def test_insight_events_are_always_empty(tessera):
    tessera.create_user("alice")
    ct = tessera.client("cloudtrail")
    assert ct.lookup_events(EventCategory="insight")["Events"] == []
    with aws_error("InvalidEventCategoryException", 400):
        ct.lookup_events(EventCategory="management")


# --- records of real calls -------------------------------------------------------------------


def test_each_attribute_finds_the_records_of_real_calls(tessera):
    tessera.freeze(T)
    user, alice = tessera.user_with_key("alice")
    tessera.grant("alice", ["iam:GetUser", "cloudtrail:LookupEvents"])
    tessera.advance(1)
    tessera.iam(alice).get_user()
    tessera.sts(alice).get_caller_identity()
    ct = tessera.client("cloudtrail")

    def find(key: str, value: str) -> list[dict]:
        return ct.lookup_events(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])["Events"]

    (created,) = find("EventName", "CreateUser")
    assert created["EventName"] == "CreateUser"
    assert created["EventSource"] == "iam.amazonaws.com"
    assert created["ReadOnly"] == "false"
    assert created["Username"] == "root"
    assert created["AccessKeyId"] == ROOT.access_key_id
    assert created["EventTime"] == at(T)
    assert created["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": "alice"}]
    record = json.loads(created["CloudTrailEvent"])
    assert record["eventID"] == created["EventId"]
    assert record["eventName"] == "CreateUser" and record["recipientAccountId"] == ACCOUNT_ID
    assert record["userIdentity"]["type"] == "Root"
    assert record["requestParameters"] == {"userName": "alice"}

    assert find("EventId", created["EventId"]) == [created]
    assert find("EventName", "createuser") == [], "names match exactly"

    assert sorted(e["EventName"] for e in find("Username", "alice")) == ["GetCallerIdentity", "GetUser"]
    by_alice = find("AccessKeyId", alice.access_key_id)
    assert sorted(e["EventName"] for e in by_alice) == ["GetCallerIdentity", "GetUser"]
    assert all(e["Username"] == "alice" and e["AccessKeyId"] == alice.access_key_id for e in by_alice)
    assert [e["EventName"] for e in find("EventSource", "sts.amazonaws.com")] == ["GetCallerIdentity"]
    assert {e["EventName"] for e in find("EventSource", "iam.amazonaws.com")} == {
        "CreateUser", "CreateAccessKey", "PutUserPolicy", "GetUser"}

    read_only = {e["EventName"] for e in find("ReadOnly", "true")}
    assert {"GetUser", "GetCallerIdentity"} <= read_only and "CreateUser" not in read_only
    writes = {e["EventName"] for e in find("ReadOnly", "false")}
    assert writes == {"CreateUser", "CreateAccessKey", "PutUserPolicy"}

    (key_event,) = find("ResourceType", "AWS::IAM::AccessKey")
    assert key_event["EventName"] == "CreateAccessKey"
    assert {"ResourceType": "AWS::IAM::AccessKey", "ResourceName": alice.access_key_id} in key_event["Resources"]
    assert find("ResourceName", alice.access_key_id) == [key_event]
    assert {e["EventName"] for e in find("ResourceName", "alice")} >= {"CreateUser", "CreateAccessKey"}
    assert find("ResourceName", "nobody") == []


def test_events_come_newest_first_within_the_time_range(tessera):
    tessera.freeze(T - 100 * 86400)
    tessera.create_user("old")
    tessera.freeze(T)
    tessera.create_user("u1")
    tessera.advance(3600)
    tessera.create_user("u2")
    tessera.advance(3600)
    tessera.create_user("u3")
    ct = tessera.client("cloudtrail")

    def names(**kw) -> list[str]:
        return [created_user(e) for e in ct.lookup_events(LookupAttributes=by_name("CreateUser"), **kw)["Events"]]

    # Without StartTime the range is the 90 days before EndTime (default: Tessera's clock).
    assert names() == ["u3", "u2", "u1"]
    assert names(StartTime=at(T - 101 * 86400)) == ["u3", "u2", "u1", "old"]
    assert names(StartTime=at(T + 1800), EndTime=at(T + 5400)) == ["u2"]
    # Both ends are inclusive.
    assert names(StartTime=at(T + 3600), EndTime=at(T + 7200)) == ["u3", "u2"]
    assert names(EndTime=at(T)) == ["u1"]
    assert names(StartTime=at(T + 7200)) == ["u3"]
    assert names(StartTime=at(T + 7201), EndTime=at(T + 9000)) == []
    events = ct.lookup_events(LookupAttributes=by_name("CreateUser"), MaxResults=3)["Events"]
    assert [e["EventTime"] for e in events] == [at(T + 7200), at(T + 3600), at(T)]
    # ISO 8601 text is accepted too (botocore always sends epoch seconds).
    body = json.dumps({"LookupAttributes": by_name("CreateUser"),
                       "StartTime": at(T + 1800).strftime("%Y-%m-%dT%H:%M:%SZ")})
    resp = raw(tessera, body)
    assert resp.status_code == 200, resp.text
    assert [created_user(e) for e in resp.json()["Events"]] == ["u3", "u2"]
    assert resp.json()["Events"][0]["EventTime"] == T + 7200


def test_the_boto3_paginator_walks_more_than_a_hundred_records(tessera):
    expected = users_created_one_second_apart(tessera, 110)
    ct = tessera.client("cloudtrail")
    for page_size in (7, 50):
        pages = list(ct.get_paginator("lookup_events").paginate(
            LookupAttributes=by_name("CreateUser"), PaginationConfig={"PageSize": page_size}))
        assert len(pages) == -(-110 // page_size)
        assert all(len(p["Events"]) == page_size for p in pages[:-1])
        assert all("NextToken" in p for p in pages[:-1]) and "NextToken" not in pages[-1]
        assert [created_user(e) for p in pages for e in p["Events"]] == expected
    # Without a filter, up to the last call: the same records, and only those.
    everything = lookup_all(ct, EndTime=at(T + 109))
    assert [created_user(e) for e in everything] == expected
    assert len({e["EventId"] for e in everything}) == 110


def test_the_cli_pages_newest_first_without_duplicates_or_gaps(tessera, cli):
    expected = users_created_one_second_apart(tessera, 105)
    filter_ = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser"]
    # The CLI follows NextToken itself: 53 requests of two events each.
    everything = cli.ok(*filter_, "--page-size", "2")
    assert [created_user(e) for e in everything["Events"]] == expected
    assert "NextToken" not in everything

    seen, token = [], None
    for _ in range(4):
        more = ["--starting-token", token] if token else []
        out = cli.ok(*filter_, "--max-items", "3", "--page-size", "2", *more)
        assert len(out["Events"]) == 3
        seen += [created_user(e) for e in out["Events"]]
        token = out["NextToken"]
    rest = cli.ok(*filter_, "--page-size", "2", "--starting-token", token)
    seen += [created_user(e) for e in rest["Events"]]
    assert seen == expected
    # --start-time as text (the CLI sends epoch seconds).
    recent = cli.ok(*filter_, "--start-time", at(T + 100).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert [created_user(e) for e in recent["Events"]] == expected[:5]
    record = json.loads(recent["Events"][0]["CloudTrailEvent"])
    assert record["eventName"] == "CreateUser"


# --- errors ----------------------------------------------------------------------------------


def test_lookup_attribute_errors(tessera, cli):
    ct = tessera.client("cloudtrail")
    with aws_error("InvalidLookupAttributesException", 400):
        ct.lookup_events(LookupAttributes=by_name("CreateUser") + [
            {"AttributeKey": "Username", "AttributeValue": "root"}])
    with aws_error("InvalidLookupAttributesException", 400, contains="UserName"):
        ct.lookup_events(LookupAttributes=[{"AttributeKey": "UserName", "AttributeValue": "root"}])
    for value in ("maybe", "True", "1"):
        with aws_error("InvalidLookupAttributesException", 400):
            ct.lookup_events(LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": value}])
    unchecked = tessera.client("cloudtrail", validate=False)
    for value in ("", "x" * 2001):
        with aws_error("InvalidLookupAttributesException", 400):
            unchecked.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": value}])
    assert ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "x" * 2000}])[
        "Events"] == []
    p = cli.run("--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser",
                "AttributeKey=Username,AttributeValue=root")
    assert p.returncode == 255, (p.returncode, p.stderr)
    assert ("An error occurred (InvalidLookupAttributesException) when calling the LookupEvents "
            "operation") in p.stderr, p.stderr
    assert "Only one lookup attribute is allowed." in p.stderr, p.stderr


def test_time_range_and_page_size_errors(tessera):
    ct = tessera.client("cloudtrail")
    with aws_error("InvalidTimeRangeException", 400):
        ct.lookup_events(StartTime=at(T + 1), EndTime=at(T))
    tessera.freeze(T)
    with aws_error("InvalidTimeRangeException", 400):
        ct.lookup_events(StartTime=at(T + 60))
    assert ct.lookup_events(StartTime=at(T), EndTime=at(T),
                            LookupAttributes=by_name("CreateUser"))["Events"] == []
    with aws_error("InvalidMaxResultsException", 400):
        ct.lookup_events(MaxResults=51)
    # botocore refuses 0 before sending; the server must refuse it too.
    with aws_error("InvalidMaxResultsException", 400):
        tessera.client("cloudtrail", validate=False).lookup_events(MaxResults=0)
    for good in (1, 50):
        assert ct.lookup_events(MaxResults=good, LookupAttributes=by_name("CreateUser"))["Events"] == []


def test_next_token_errors(tessera):
    for name in ("a", "b", "c"):
        tessera.create_user(name)
    ct = tessera.client("cloudtrail")
    first = ct.lookup_events(LookupAttributes=by_name("CreateUser"), MaxResults=1)
    token = first["NextToken"]
    # The same parameters (page size may change) continue; anything else is refused.
    nxt = ct.lookup_events(LookupAttributes=by_name("CreateUser"), MaxResults=2, NextToken=token)
    assert len(nxt["Events"]) == 2 and "NextToken" not in nxt
    assert first["Events"][0]["EventId"] not in {e["EventId"] for e in nxt["Events"]}
    for other in ({"LookupAttributes": by_name("CreateAccessKey")},
                  {},
                  {"LookupAttributes": by_name("CreateUser"), "StartTime": at(1_000_000_000)}):
        with aws_error("InvalidNextTokenException", 400):
            ct.lookup_events(NextToken=token, **other)
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (tampered, token[:-1], "not-a-token", token + "x"):
        with aws_error("InvalidNextTokenException", 400):
            ct.lookup_events(LookupAttributes=by_name("CreateUser"), NextToken=bad)


def test_wire_errors(tessera):
    assert_json_error(raw(tessera, "{}", target=TARGET + "DescribeTrails"), "UnknownOperationException")
    assert_json_error(raw(tessera, "{}", target="DynamoDB_20120810.ListTables"), "UnknownOperationException")
    for body in ("not json", "[]", '"text"', "{"):
        assert_json_error(raw(tessera, body), "ValidationException")
    for body in ({"MaxResults": "5"}, {"LookupAttributes": {"AttributeKey": "EventName"}},
                 {"StartTime": True}, {"LookupAttributes": [{"AttributeKey": "EventName"}]}):
        assert_json_error(raw(tessera, json.dumps(body)), "ValidationException")
    assert_json_error(raw(tessera, json.dumps({"StartTime": "last tuesday"})), "InvalidTimeRangeException")
    assert_json_error(raw(tessera, "{}", content_type="application/json"), "UnknownOperationException")
    # The Query protocol still answers XML on the same listener.
    assert tessera.iam().list_users()["Users"] == []


# --- authentication and authorization --------------------------------------------------------


def test_authentication_errors(tessera):
    with aws_error("UnrecognizedClientException", 400, "The security token included in the request is invalid."):
        tessera.client("cloudtrail", Creds("AKIAAAAAAAAAAAAAAAAA", "x" * 40)).lookup_events()
    with aws_error("InvalidSignatureException", 400):
        tessera.client("cloudtrail", Creds(ROOT.access_key_id, "x" * 40)).lookup_events()
    resp = raw(tessera, "{}", creds=Creds(ROOT.access_key_id, "y" * 40))
    assert_json_error(resp, "InvalidSignatureException")
    # botocore signs x-amz-target, and the body: a body changed after signing does not verify.
    url = tessera.url.rstrip("/") + "/"
    headers = sign("POST", url, "{}", ROOT, "cloudtrail",
                   headers={"Content-Type": JSON_11, "X-Amz-Target": TARGET + "LookupEvents"})
    assert "x-amz-target" in headers["Authorization"]
    assert requests.post(url, data=b"{}", headers=headers, timeout=30).status_code == 200
    tampered = requests.post(url, data=b'{"MaxResults": 1}', headers=headers, timeout=30)
    assert_json_error(tampered, "InvalidSignatureException")
    # A signature scoped to another service does not verify.
    iam_signed = sign("POST", url, "{}", ROOT, "iam",
                      headers={"Content-Type": JSON_11, "X-Amz-Target": TARGET + "LookupEvents"})
    assert_json_error(requests.post(url, data=b"{}", headers=iam_signed, timeout=30), "InvalidSignatureException")
    missing = requests.post(url, data=b"{}", timeout=30,
                            headers={"Content-Type": JSON_11, "X-Amz-Target": TARGET + "LookupEvents"})
    assert_json_error(missing, "MissingAuthenticationTokenException")


def test_expired_session_credentials(tessera):
    tessera.freeze(T)
    session = session_creds(tessera.sts().get_session_token(DurationSeconds=900)["Credentials"])
    assert "Events" in tessera.client("cloudtrail", session).lookup_events()
    tessera.advance(3600)
    with aws_error("ExpiredTokenException", 400, "The security token included in the request is expired"):
        tessera.client("cloudtrail", session).lookup_events()


def test_iam_users_need_cloudtrail_lookup_events(tessera):
    user, bob = tessera.user_with_key("bob")
    denied = (f"User: {user['Arn']} is not authorized to perform: cloudtrail:LookupEvents because no "
              "identity-based policy allows the cloudtrail:LookupEvents action")
    with aws_error("AccessDeniedException", 400, denied):
        tessera.client("cloudtrail", bob).lookup_events()
    tessera.grant("bob", ["iam:*"], name="iam-only")
    with aws_error("AccessDeniedException", 400, denied):
        tessera.client("cloudtrail", bob).lookup_events()
    tessera.grant("bob", ["cloudtrail:LookupEvents"])
    events = tessera.client("cloudtrail", bob).lookup_events(LookupAttributes=by_name("CreateUser"))["Events"]
    assert [created_user(e) for e in events] == ["bob"]
    deny = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}]}
    tessera.iam().put_user_policy(UserName="bob", PolicyName="deny", PolicyDocument=json.dumps(deny))
    with aws_error("AccessDeniedException", 400,
                   f"User: {user['Arn']} is not authorized to perform: cloudtrail:LookupEvents with an "
                   "explicit deny in an identity-based policy"):
        tessera.client("cloudtrail", bob).lookup_events()


def test_sessions_without_mfa_may_look_up_events(tessera):
    """Only IAM refuses GetSessionToken credentials without MFA (cloudtrail.md §8.4)."""
    _, bob = tessera.user_with_key("bob")
    tessera.grant("bob", ["cloudtrail:LookupEvents"])
    session = session_creds(tessera.sts(bob).get_session_token()["Credentials"])
    events = tessera.client("cloudtrail", session).lookup_events(LookupAttributes=by_name("CreateUser"))["Events"]
    assert [created_user(e) for e in events] == ["bob"]
    with aws_error("InvalidClientTokenId", 403):
        tessera.iam(session).get_user()
