"""IAM roles and STS AssumeRole with real clients: role CRUD and tags, trust policies that
round-trip, role-session credentials (ARN, UserId, expiry, what they may call, their end with
the role), MFA proofs checked like GetSessionToken's, and the AWS CLI's role_arn + mfa_serial
profile flow."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import threading
from urllib.parse import quote

from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, Creds, aws_error, enable_device, psql, totp_codes
from harness import validation_message, virtual_device

WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
NOT_ASSOCIATED = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
                  "serial number is valid and associated with this user.")


def trust(condition: dict | None = None,
          principal: str | list[str] = f"arn:aws:iam::{ACCOUNT_ID}:user/alice") -> dict:
    """A trust policy naming `principal` (alice by default), so naming it is enough to assume
    the role within the account."""
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


MFA_REQUIRED = trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}})



def create_role(tessera, name: str, document: dict | None = None, **kw) -> dict:
    return tessera.iam().create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document or trust()),
                                     **kw)["Role"]


def role_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role{path}{name}"


def session_creds(credentials: dict) -> Creds:
    return Creds(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def at(offset: int = 0) -> dt.datetime:
    return dt.datetime.fromtimestamp(MFA_NOW + offset, dt.timezone.utc)


def user_with_device(tessera, name="alice"):
    """A user with a key and a virtual device enabled with the two steps before MFA_NOW's, so
    the code of MFA_NOW's own step is still unused."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key(name)
    serial, seed = virtual_device(tessera.iam(), f"{name}-phone")
    enable_device(tessera.iam(), name, serial, seed, step=MFA_STEP - 2)
    return creds, serial, seed


def run_sql(tessera, sql: str) -> None:
    """Writes rows no API operation of this build writes yet (role policies)."""
    database = tessera.server.database
    if database.startswith("sqlite://"):
        with sqlite3.connect(database.removeprefix("sqlite://"), timeout=30) as db:
            db.execute(sql)
    else:
        psql(database, sql)


# --- Roles over IAM ----------------------------------------------------------------------------

def test_create_and_get_role_round_trip_the_trust_policy(tessera):
    document = trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    created = create_role(tessera, "Deployer", document, Path="/ci/", Description="deploys things",
                          MaxSessionDuration=7200, Tags=[{"Key": "Team", "Value": "ops"}])
    assert created["Arn"] == role_arn("Deployer", "/ci/")
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["AssumeRolePolicyDocument"] == document
    assert created["Tags"] == [{"Key": "Team", "Value": "ops"}]
    assert "RoleLastUsed" not in created

    got = tessera.iam().get_role(RoleName="deployer")["Role"]
    assert got["AssumeRolePolicyDocument"] == document  # URL-encoded on the wire, decoded by botocore
    assert (got["Path"], got["RoleName"], got["RoleId"]) == ("/ci/", "Deployer", created["RoleId"])
    assert (got["Description"], got["MaxSessionDuration"]) == ("deploys things", 7200)
    assert got["RoleLastUsed"] == {}
    assert got["Tags"] == [{"Key": "Team", "Value": "ops"}]

    # The document is kept exactly as sent, whitespace included.
    raw = ('{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",\n'
           '    "Principal": {"AWS": "*"}}\n}')
    tessera.iam().create_role(RoleName="Raw", AssumeRolePolicyDocument=raw)
    seen: list = []
    watched = tessera.iam()
    watched.meta.events.register("after-call.iam.GetRole",
                                 lambda http_response, **kw: seen.append(http_response.text))
    watched.get_role(RoleName="Raw")
    assert quote(raw, safe="-._~") in seen[0]

    with aws_error("EntityAlreadyExists", 409, "Role with name DEPLOYER already exists."):
        create_role(tessera, "DEPLOYER")
    with aws_error("NoSuchEntity", 404, "The role with name ghost cannot be found."):
        tessera.iam().get_role(RoleName="ghost")


def test_create_role_validation(tessera):
    iam = tessera.iam()
    with aws_error("ValidationError", 400, validation_message(
            "900", "maxSessionDuration", "Member must have value greater than or equal to 3600")):
        tessera.iam(validate=False).create_role(RoleName="r", MaxSessionDuration=900,
                                                AssumeRolePolicyDocument=json.dumps(trust()))
    with aws_error("MalformedPolicyDocument", 400):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{not json")
    with aws_error("LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Sid": "x" * 2100}))
    assert iam.list_roles()["Roles"] == []


def test_list_roles_pages_and_omits_tags(tessera):
    for name in ["e", "B", "d", "A", "c"]:
        create_role(tessera, name, Path="/team/" if name in "Bd" else "/",
                    Tags=[{"Key": "k", "Value": "v"}])
    iam = tessera.iam()
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["A", "B"]
    assert first["IsTruncated"] and first["Marker"]
    rest = iam.list_roles(MaxItems=10, Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["c", "d", "e"] and not rest["IsTruncated"]
    for role in first["Roles"] + rest["Roles"]:
        assert "Tags" not in role and "RoleLastUsed" not in role
        assert role["AssumeRolePolicyDocument"] == trust() and role["MaxSessionDuration"] == 3600
    paged = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1})
             for r in page["Roles"]]
    assert paged == ["A", "B", "c", "d", "e"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/team/")["Roles"]] == ["B", "d"]


def test_update_role_and_its_trust_policy(tessera):
    create_role(tessera, "r", Description="old")
    iam = tessera.iam()
    iam.update_role(RoleName="R", MaxSessionDuration=43200)
    got = iam.get_role(RoleName="r")["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("old", 43200)
    iam.update_role(RoleName="r", Description="new")
    assert iam.get_role(RoleName="r")["Role"]["Description"] == "new"
    with aws_error("ValidationError", 400):
        iam.update_role(RoleName="r", MaxSessionDuration=43201)

    iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(MFA_REQUIRED))
    assert iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"] == MFA_REQUIRED
    with aws_error("MalformedPolicyDocument", 400):
        iam.update_assume_role_policy(RoleName="r", PolicyDocument="[]")
    with aws_error("NoSuchEntity", 404, "The role with name ghost cannot be found."):
        iam.update_assume_role_policy(RoleName="ghost", PolicyDocument=json.dumps(trust()))
    with aws_error("NoSuchEntity", 404):
        iam.update_role(RoleName="ghost", Description="x")


def test_delete_role_and_its_conflicts(tessera):
    role = create_role(tessera, "r")
    iam = tessera.iam()
    run_sql(tessera, "INSERT INTO inline_policies (owner_id, account_id, policy_name, document) "
                     f"VALUES ('{role['RoleId']}', '{ACCOUNT_ID}', 'p', '{{}}')")
    with aws_error("DeleteConflict", 409, "Cannot delete entity, must delete policies first."):
        iam.delete_role(RoleName="r")
    run_sql(tessera, "DELETE FROM inline_policies")
    run_sql(tessera, "INSERT INTO policy_attachments (owner_id, account_id, policy_arn, attached_at) "
                     f"VALUES ('{role['RoleId']}', '{ACCOUNT_ID}', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 0)")
    with aws_error("DeleteConflict", 409, "Cannot delete entity, must detach all policies first."):
        iam.delete_role(RoleName="r")
    run_sql(tessera, "DELETE FROM policy_attachments")
    iam.delete_role(RoleName="R")
    with aws_error("NoSuchEntity", 404, "The role with name r cannot be found."):
        iam.get_role(RoleName="r")
    with aws_error("NoSuchEntity", 404):
        iam.delete_role(RoleName="r")
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Roles"], summary["RolesQuota"]) == (0, 1000)


def test_role_tags(tessera):
    create_role(tessera, "r", Tags=[{"Key": "Env", "Value": "prod"}])
    iam = tessera.iam()
    iam.tag_role(RoleName="r", Tags=[{"Key": "ENV", "Value": "dev"}, {"Key": "Team", "Value": "x"}])
    assert iam.list_role_tags(RoleName="R")["Tags"] == [{"Key": "ENV", "Value": "dev"},
                                                      {"Key": "Team", "Value": "x"}]
    page = iam.list_role_tags(RoleName="r", MaxItems=1)
    assert page["IsTruncated"] and page["Tags"] == [{"Key": "ENV", "Value": "dev"}]
    iam.untag_role(RoleName="r", TagKeys=["env", "missing"])
    assert iam.get_role(RoleName="r")["Role"]["Tags"] == [{"Key": "Team", "Value": "x"}]
    with aws_error("LimitExceeded", 409):
        iam.tag_role(RoleName="r", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    with aws_error("InvalidInput", 400):
        iam.tag_role(RoleName="r", Tags=[{"Key": "a", "Value": ""}, {"Key": "A", "Value": ""}])
    with aws_error("NoSuchEntity", 404):
        iam.list_role_tags(RoleName="ghost")


# --- AssumeRole --------------------------------------------------------------------------------

def test_assume_role_by_a_user(tessera):
    tessera.freeze(MFA_NOW)
    role = create_role(tessera, "Admin", Path="/ops/")
    _, creds = tessera.user_with_key("alice")
    got = tessera.sts(creds, region="eu-west-1").assume_role(RoleArn=role["Arn"], RoleSessionName="alice@work")
    arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/Admin/alice@work"
    assert got["AssumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:alice@work", "Arn": arn}
    assert "PackedPolicySize" not in got and "SourceIdentity" not in got
    credentials = got["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["Expiration"] == at(3600)

    session = session_creds(credentials)
    me = tessera.sts(session).get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == (arn, f"{role['RoleId']}:alice@work", ACCOUNT_ID)

    used = tessera.iam().get_role(RoleName="Admin")["Role"]["RoleLastUsed"]
    assert used == {"LastUsedDate": at(), "Region": "eu-west-1"}

    # Role sessions act with the role's policies: nothing until one is attached.
    denied = (f"User: {arn} is not authorized to perform: iam:ListRoles on resource: "
              f"arn:aws:iam::{ACCOUNT_ID}:role/ because no identity-based policy allows the iam:ListRoles action")
    with aws_error("AccessDenied", 403, denied):
        tessera.iam(session).list_roles()
    tessera.iam().attach_role_policy(RoleName="Admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    # Role sessions may call IAM, but not GetSessionToken, and are not users.
    assert [r["RoleName"] for r in tessera.iam(session).list_roles()["Roles"]] == ["Admin"]
    with aws_error("AccessDenied", 403):
        tessera.sts(session).get_session_token()
    with aws_error("ValidationError", 400, "Must specify userName when calling with non-User credentials"):
        tessera.iam(session).get_user()
    with aws_error("ValidationError", 400, "Must specify userName when calling with non-User credentials"):
        tessera.iam(session).list_access_keys()
    assert tessera.iam(session).get_user(UserName="alice")["User"]["UserName"] == "alice"


def test_assume_role_durations(tessera):
    tessera.freeze(MFA_NOW)
    # alice, and sessions of the role "long" (role chaining), may assume both roles.
    both = trust(principal=[f"arn:aws:iam::{ACCOUNT_ID}:user/alice", f"arn:aws:iam::{ACCOUNT_ID}:role/long"])
    short = create_role(tessera, "short", both)
    long = create_role(tessera, "long", both, MaxSessionDuration=43200)
    _, creds = tessera.user_with_key("alice")
    sts = tessera.sts(creds)
    with aws_error("ValidationError", 400,
                   "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."):
        sts.assume_role(RoleArn=short["Arn"], RoleSessionName="ss", DurationSeconds=3601)
    with aws_error("ValidationError", 400, validation_message(
            "43201", "durationSeconds", "Member must have value less than or equal to 43200")):
        tessera.sts(creds, validate=False).assume_role(RoleArn=long["Arn"], RoleSessionName="ss",
                                                       DurationSeconds=43201)
    with aws_error("ValidationError", 400, validation_message(
            "x", "roleSessionName", "Member must have length greater than or equal to 2")):
        tessera.sts(creds, validate=False).assume_role(RoleArn=long["Arn"], RoleSessionName="x")
    got = sts.assume_role(RoleArn=long["Arn"], RoleSessionName="ss", DurationSeconds=43200)
    assert got["Credentials"]["Expiration"] == at(43200)

    # Role chaining: at most an hour.
    chained = tessera.sts(session_creds(got["Credentials"]))
    with aws_error("ValidationError", 400,
                   "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."):
        chained.assume_role(RoleArn=long["Arn"], RoleSessionName="again", DurationSeconds=3601)
    again = chained.assume_role(RoleArn=short["Arn"], RoleSessionName="again")
    assert again["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/short/again"
    assert again["Credentials"]["Expiration"] == at(3600)


def test_root_and_unknown_roles_are_refused(tessera):
    role = create_role(tessera, "r")
    with aws_error("AccessDenied", 403, "Roles may not be assumed by root accounts."):
        tessera.sts().assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    user, creds = tessera.user_with_key("alice")
    for arn in [role_arn("ghost"), role_arn("r", "/wrong/"), "arn:aws:iam::999999999999:role/r",
                "not-an-arn-but-long-enough"]:
        with aws_error("AccessDenied", 403,
                       f"User: {user['Arn']} is not authorized to perform: sts:AssumeRole on resource: {arn}"):
            tessera.sts(creds).assume_role(RoleArn=arn, RoleSessionName="s1")


def test_unsupported_parameters_are_refused(tessera):
    role = create_role(tessera, "r")
    _, creds = tessera.user_with_key("alice")
    sts = tessera.sts(creds)
    with aws_error("ValidationError", 400, contains="Policy"):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=json.dumps(trust()))
    with aws_error("ValidationError", 400, contains="Tags"):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "k", "Value": "v"}])
    with aws_error("ValidationError", 400, contains="SourceIdentity"):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="alice")


def test_assume_role_with_mfa(tessera):
    creds, serial, seed = user_with_device(tessera)
    role = create_role(tessera, "guarded", MFA_REQUIRED)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    sts = tessera.sts(creds)
    got = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial, TokenCode=code)
    session = session_creds(got["Credentials"])
    assert tessera.sts(session).get_caller_identity()["Arn"].endswith(":assumed-role/guarded/s1")
    # The code is spent; wrong codes and half proofs fail like GetSessionToken's.
    with aws_error("AccessDenied", 403, WRONG_CODE):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial, TokenCode=code)
    wrong = "000000" if code != "000000" else "111111"
    tessera.advance(30)
    with aws_error("AccessDenied", 403, WRONG_CODE):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial, TokenCode=wrong)
    with aws_error("AccessDenied", 403,
                   "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial)
    # Role sessions carry no MFA context and hold no devices.
    (later,) = totp_codes(seed, MFA_NOW + 60, 1)
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        tessera.sts(session).assume_role(RoleArn=role["Arn"], RoleSessionName="t1", SerialNumber=serial,
                                         TokenCode=later)


def test_fido_and_foreign_serials_are_refused(tessera):
    creds, serial, seed = user_with_device(tessera)
    role = create_role(tessera, "r")
    (code,) = totp_codes(seed, MFA_NOW, 1)
    fido = f"arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/key-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=fido,
                                       TokenCode=code)
    _, bob = tessera.user_with_key("bob")
    with aws_error("AccessDenied", 403, NOT_ASSOCIATED):
        tessera.sts(bob).assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial,
                                     TokenCode=code)
    # Neither attempt spent alice's code.
    tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SerialNumber=serial,
                                   TokenCode=code)


def test_trust_policy_requiring_mfa_refuses_callers_without_it(tessera):
    role = create_role(tessera, "guarded", MFA_REQUIRED)
    user, creds = tessera.user_with_key("alice")
    with aws_error("AccessDenied", 403,
                   f"User: {user['Arn']} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"):
        tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")


def test_trusting_the_account_needs_the_callers_own_permission(tessera):
    """A trust policy naming only the account delegates to the account's identity policies
    [AWS]: the caller needs sts:AssumeRole on the role as well, and an explicit deny wins."""
    role = create_role(tessera, "shared", trust(principal=ACCOUNT_ID))
    user, creds = tessera.user_with_key("alice")
    with aws_error("AccessDenied", 403,
                   f"User: {user['Arn']} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"):
        tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    tessera.grant("alice", ["sts:AssumeRole"], role["Arn"])
    tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    named = create_role(tessera, "named", trust())
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}
    tessera.iam().put_user_policy(UserName="alice", PolicyName="no-roles", PolicyDocument=json.dumps(deny))
    with aws_error("AccessDenied", 403):
        tessera.sts(creds).assume_role(RoleArn=named["Arn"], RoleSessionName="s1")


def test_trust_policy_naming_another_principal_refuses_the_caller(tessera):
    create_role(tessera, "bobs", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:user/bob"},
         "Action": "sts:AssumeRole"}]})
    _, creds = tessera.user_with_key("alice")
    with aws_error("AccessDenied", 403):
        tessera.sts(creds).assume_role(RoleArn=role_arn("bobs"), RoleSessionName="s1")


def test_role_sessions_expire_and_end_with_their_role(tessera):
    tessera.freeze(MFA_NOW)
    role = create_role(tessera, "r")
    _, creds = tessera.user_with_key("alice")
    got = tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=900)
    session = session_creds(got["Credentials"])
    tessera.advance(899)
    tessera.sts(session).get_caller_identity()
    tessera.advance(1)
    with aws_error("ExpiredToken", 403, "The security token included in the request is expired"):
        tessera.sts(session).get_caller_identity()

    live = session_creds(tessera.sts(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="t1")["Credentials"])
    tessera.sts(live).get_caller_identity()
    tessera.iam().delete_role(RoleName="r")
    with aws_error("InvalidClientTokenId", 403):
        tessera.sts(live).get_caller_identity()


def test_the_same_code_sent_sixteen_times_at_once_wins_once(tessera):
    creds, serial, seed = user_with_device(tessera)
    role = create_role(tessera, "guarded", MFA_REQUIRED)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    clients = [tessera.sts(creds) for _ in range(16)]
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def attempt(i):
        barrier.wait()
        try:
            clients[i].assume_role(RoleArn=role["Arn"], RoleSessionName=f"s{i}", SerialNumber=serial,
                                   TokenCode=code)
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


def test_aws_cli_profile_with_role_arn_and_mfa_serial(tessera, tmp_path):
    creds, serial, seed = user_with_device(tessera)
    role = create_role(tessera, "admin-role", MFA_REQUIRED)
    (code,) = totp_codes(seed, MFA_NOW, 1)
    (tmp_path / "credentials").write_text(
        f"[base]\naws_access_key_id = {creds.access_key_id}\n"
        f"aws_secret_access_key = {creds.secret_access_key}\n")
    # botocore's assume-role provider creates its STS client from the profile's settings, so
    # the profile's endpoint_url points it (and the command itself) at Tessera.
    (tmp_path / "config").write_text(
        f"[profile base]\nregion = us-east-1\nendpoint_url = {tessera.url}\n\n"
        f"[profile admin]\nrole_arn = {role['Arn']}\nsource_profile = base\nmfa_serial = {serial}\n"
        f"role_session_name = cli-session\nregion = us-east-1\nendpoint_url = {tessera.url}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # HOME too: the CLI caches assumed-role credentials under ~/.aws/cli/cache.
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
    # No controlling terminal, so the CLI's MFA prompt reads the code from stdin.
    p = subprocess.run(["aws", "sts", "get-caller-identity", "--profile", "admin", "--output", "json"],
                       input=code + "\n", capture_output=True, text=True, timeout=120, env=env,
                       start_new_session=True)
    assert p.returncode == 0, p.stderr
    assert f"Enter MFA code for {serial}" in p.stdout + p.stderr
    out = json.loads(p.stdout[p.stdout.index("{"):])
    assert out["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/admin-role/cli-session"
    assert out["UserId"] == f"{role['RoleId']}:cli-session"
