"""The real AWS CLI (v1) against Tessera: every user/credential operation, success and a
representative error each. Errors exit 254 (service error) or 255 and name the code on stderr."""

import base64
import json
import os
import shutil
import subprocess
import sys

import pytest

from harness import ACCOUNT_ID, ROOT, ROOT_ACCESS_KEY_ID, Creds

GOOD = "Str0ng-Passw0rd"


class Cli:
    def __init__(self, url, tmp_path):
        self.url = url
        (tmp_path / "config").write_text("")
        (tmp_path / "credentials").write_text("")
        self.tmp = tmp_path
        exe = shutil.which("aws")
        self.prefix = [exe] if exe else [sys.executable, "-m", "awscli"]

    def run(self, *args, creds: Creds = ROOT, region="us-east-1"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=creds.access_key_id,
            AWS_SECRET_ACCESS_KEY=creds.secret_access_key,
            AWS_DEFAULT_REGION=region,
            AWS_CONFIG_FILE=str(self.tmp / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.tmp / "credentials"),
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            AWS_PAGER="",
            AWS_EC2_METADATA_DISABLED="true",
        )
        if creds.session_token:
            env["AWS_SESSION_TOKEN"] = creds.session_token
        return subprocess.run(
            [*self.prefix, "--endpoint-url", self.url, "--output", "json", *args],
            capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)

    def ok(self, *args, **kw):
        p = self.run(*args, **kw)
        assert p.returncode == 0, f"aws {' '.join(args)} exited {p.returncode}: {p.stderr}"
        return json.loads(p.stdout) if p.stdout.strip() else None

    def fails(self, code, *args, **kw):
        p = self.run(*args, **kw)
        assert p.returncode in (254, 255), (
            f"aws {' '.join(args)} exited {p.returncode}, expected 254/255: {p.stdout} {p.stderr}")
        assert f"({code})" in p.stderr, f"expected ({code}) on stderr, got: {p.stderr}"
        return p.stderr


@pytest.fixture
def cli(tessera, tmp_path):
    return Cli(tessera.url, tmp_path)


def make_key(cli, user):
    key = cli.ok("iam", "create-access-key", "--user-name", user)["AccessKey"]
    return Creds(key["AccessKeyId"], key["SecretAccessKey"])


# --- users -----------------------------------------------------------------------------------


def test_create_get_user(cli):
    user = cli.ok("iam", "create-user", "--user-name", "alice", "--path", "/eng/",
                  "--tags", "Key=Dept,Value=Ops")["User"]
    assert user["UserName"] == "alice"
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/eng/alice"
    assert user["UserId"].startswith("AIDA")
    got = cli.ok("iam", "get-user", "--user-name", "alice")["User"]
    assert got["UserId"] == user["UserId"]
    assert got["Tags"] == [{"Key": "Dept", "Value": "Ops"}]
    err = cli.fails("EntityAlreadyExists", "iam", "create-user", "--user-name", "ALICE")
    assert "CreateUser" in err
    cli.fails("ValidationError", "iam", "create-user", "--user-name", "x" * 65)


def test_get_user_root_and_missing(cli):
    root = cli.ok("iam", "get-user")["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert root["UserId"] == ACCOUNT_ID
    cli.fails("NoSuchEntity", "iam", "get-user", "--user-name", "ghost")


def test_list_users_auto_pagination(cli):
    names = [f"user{i:02d}" for i in range(10)]
    for n in reversed(names):
        cli.ok("iam", "create-user", "--user-name", n)
    got = cli.ok("iam", "list-users", "--page-size", "3")
    assert [u["UserName"] for u in got["Users"]] == names
    # The CLI's NextToken counts items within a page: keep the page size for the follow-up.
    page = cli.ok("iam", "list-users", "--max-items", "4", "--page-size", "3")
    assert [u["UserName"] for u in page["Users"]] == names[:4]
    rest = cli.ok("iam", "list-users", "--starting-token", page["NextToken"], "--page-size", "3")
    assert [u["UserName"] for u in rest["Users"]] == names[4:]
    assert [u["UserName"] for u in cli.ok("iam", "list-users", "--path-prefix", "/none/")[
        "Users"]] == []
    cli.fails("ValidationError", "iam", "list-users", "--path-prefix", "no-slash")


def test_update_user(cli):
    cli.ok("iam", "create-user", "--user-name", "bob")
    assert cli.ok("iam", "update-user", "--user-name", "bob", "--new-user-name", "robert",
                  "--new-path", "/x/") is None
    assert cli.ok("iam", "get-user", "--user-name", "robert")["User"]["Path"] == "/x/"
    cli.fails("NoSuchEntity", "iam", "update-user", "--user-name", "bob",
              "--new-user-name", "bobby")


def test_delete_user(cli):
    cli.ok("iam", "create-user", "--user-name", "carol")
    key = make_key(cli, "carol")
    err = cli.fails("DeleteConflict", "iam", "delete-user", "--user-name", "carol")
    assert "must delete access keys first" in err
    cli.ok("iam", "delete-access-key", "--user-name", "carol", "--access-key-id",
           key.access_key_id)
    assert cli.ok("iam", "delete-user", "--user-name", "carol") is None
    cli.fails("NoSuchEntity", "iam", "delete-user", "--user-name", "carol")


# --- tags ------------------------------------------------------------------------------------


def test_user_tags(cli):
    cli.ok("iam", "create-user", "--user-name", "dave")
    assert cli.ok("iam", "tag-user", "--user-name", "dave", "--tags",
                  "Key=Team,Value=Blue", "Key=cost center,Value=a b") is None
    tags = cli.ok("iam", "list-user-tags", "--user-name", "dave")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("Team", "Blue"),
                                                            ("cost center", "a b")]
    cli.ok("iam", "untag-user", "--user-name", "dave", "--tag-keys", "Team")
    tags = cli.ok("iam", "list-user-tags", "--user-name", "dave")["Tags"]
    assert tags == [{"Key": "cost center", "Value": "a b"}]
    cli.fails("InvalidInput", "iam", "tag-user", "--user-name", "dave", "--tags",
              "Key=aws:reserved,Value=x")
    cli.fails("InvalidInput", "iam", "tag-user", "--user-name", "dave", "--tags",
              "Key=dup,Value=1", "Key=DUP,Value=2")
    cli.fails("NoSuchEntity", "iam", "untag-user", "--user-name", "ghost", "--tag-keys", "x")
    cli.fails("NoSuchEntity", "iam", "list-user-tags", "--user-name", "ghost")


# --- login profiles --------------------------------------------------------------------------


def test_login_profiles(cli):
    cli.ok("iam", "create-user", "--user-name", "erin")
    cli.fails("NoSuchEntity", "iam", "get-login-profile", "--user-name", "erin")
    cli.fails("PasswordPolicyViolation", "iam", "create-login-profile", "--user-name", "erin",
              "--password", "weakpass")
    lp = cli.ok("iam", "create-login-profile", "--user-name", "erin", "--password", GOOD,
                "--password-reset-required")["LoginProfile"]
    assert lp["UserName"] == "erin" and lp["PasswordResetRequired"] is True
    cli.fails("EntityAlreadyExists", "iam", "create-login-profile", "--user-name", "erin",
              "--password", GOOD)
    assert cli.ok("iam", "update-login-profile", "--user-name", "erin",
                  "--no-password-reset-required") is None
    got = cli.ok("iam", "get-login-profile", "--user-name", "erin")["LoginProfile"]
    assert got["PasswordResetRequired"] is False
    cli.fails("PasswordPolicyViolation", "iam", "update-login-profile", "--user-name", "erin",
              "--password", "short")
    assert cli.ok("iam", "delete-login-profile", "--user-name", "erin") is None
    cli.fails("NoSuchEntity", "iam", "delete-login-profile", "--user-name", "erin")
    cli.fails("NoSuchEntity", "iam", "update-login-profile", "--user-name", "erin",
              "--password", GOOD)


# --- access keys -----------------------------------------------------------------------------


def test_access_keys(cli):
    cli.ok("iam", "create-user", "--user-name", "frank")
    k1 = make_key(cli, "frank")
    assert k1.access_key_id.startswith("AKIA") and len(k1.secret_access_key) == 40
    ident = cli.ok("sts", "get-caller-identity", creds=k1)
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/frank"
    k2 = make_key(cli, "frank")
    err = cli.fails("LimitExceeded", "iam", "create-access-key", "--user-name", "frank")
    assert "Cannot exceed quota for AccessKeysPerUser: 2" in err
    meta = cli.ok("iam", "list-access-keys", "--user-name", "frank")["AccessKeyMetadata"]
    assert sorted(m["AccessKeyId"] for m in meta) == sorted([k1.access_key_id, k2.access_key_id])
    cli.fails("NoSuchEntity", "iam", "list-access-keys", "--user-name", "ghost")
    assert cli.ok("iam", "update-access-key", "--user-name", "frank", "--access-key-id",
                  k1.access_key_id, "--status", "Inactive") is None
    cli.fails("InvalidClientTokenId", "sts", "get-caller-identity", creds=k1)
    cli.fails("NoSuchEntity", "iam", "update-access-key", "--user-name", "frank",
              "--access-key-id", "AKIAAAAAAAAAAAAAAAAA", "--status", "Active")
    assert cli.ok("iam", "delete-access-key", "--user-name", "frank", "--access-key-id",
                  k2.access_key_id) is None
    cli.fails("InvalidClientTokenId", "sts", "get-caller-identity", creds=k2)
    cli.fails("NoSuchEntity", "iam", "delete-access-key", "--user-name", "frank",
              "--access-key-id", k2.access_key_id)


def test_access_key_last_used(cli):
    cli.ok("iam", "create-user", "--user-name", "gina")
    key = make_key(cli, "gina")
    before = cli.ok("iam", "get-access-key-last-used", "--access-key-id", key.access_key_id)
    assert before["UserName"] == "gina"
    assert before["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    cli.ok("sts", "get-caller-identity", creds=key, region="ap-northeast-1")
    after = cli.ok("iam", "get-access-key-last-used", "--access-key-id",
                   key.access_key_id)["AccessKeyLastUsed"]
    assert after["ServiceName"] == "sts" and after["Region"] == "ap-northeast-1"
    assert "LastUsedDate" in after
    cli.fails("ValidationError", "iam", "get-access-key-last-used", "--access-key-id",
              "AKIA-not-a-valid-id!")


# --- account ---------------------------------------------------------------------------------


def test_account_aliases(cli):
    assert cli.ok("iam", "list-account-aliases")["AccountAliases"] == []
    assert cli.ok("iam", "create-account-alias", "--account-alias", "cli-alias") is None
    assert cli.ok("iam", "list-account-aliases")["AccountAliases"] == ["cli-alias"]
    cli.fails("EntityAlreadyExists", "iam", "create-account-alias", "--account-alias",
              "cli-alias")
    cli.fails("ValidationError", "iam", "create-account-alias", "--account-alias", "Bad--Alias")
    cli.fails("NoSuchEntity", "iam", "delete-account-alias", "--account-alias", "other-alias")
    assert cli.ok("iam", "delete-account-alias", "--account-alias", "cli-alias") is None
    assert cli.ok("iam", "list-account-aliases")["AccountAliases"] == []


def test_account_summary(cli):
    before = cli.ok("iam", "get-account-summary")["SummaryMap"]
    assert len(before) == 34
    assert before["Users"] == 0 and before["UsersQuota"] == 5000
    cli.ok("iam", "create-user", "--user-name", "hank")
    assert cli.ok("iam", "get-account-summary")["SummaryMap"]["Users"] == 1


def test_account_summary_denied_without_policy(cli):
    cli.ok("iam", "create-user", "--user-name", "hank")
    key = make_key(cli, "hank")
    cli.fails("AccessDenied", "iam", "get-account-summary", creds=key)


def test_credential_report(cli):
    cli.fails("ReportNotPresent", "iam", "get-credential-report")
    started = cli.ok("iam", "generate-credential-report")
    assert started["State"] == "STARTED"
    for _ in range(50):
        if cli.ok("iam", "generate-credential-report")["State"] == "COMPLETE":
            break
    rep = cli.ok("iam", "get-credential-report")
    assert rep["ReportFormat"] == "text/csv"
    text = base64.b64decode(rep["Content"]).decode()
    lines = text.splitlines()
    assert len(lines) >= 2, text
    assert lines[0].startswith("user,arn,user_creation_time,password_enabled,")
    assert lines[1].startswith(f"<root_account>,arn:aws:iam::{ACCOUNT_ID}:root,")


# --- sts -------------------------------------------------------------------------------------


def test_sts_get_caller_identity(cli):
    ident = cli.ok("sts", "get-caller-identity")
    assert ident == {"UserId": ACCOUNT_ID, "Account": ACCOUNT_ID,
                     "Arn": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    cli.fails("InvalidClientTokenId", "sts", "get-caller-identity",
              creds=Creds("AKIAAAAAAAAAAAAAAAAA", "q" * 40))
    cli.fails("SignatureDoesNotMatch", "sts", "get-caller-identity",
              creds=Creds(ROOT_ACCESS_KEY_ID, "q" * 40))


def test_sts_get_access_key_info(cli):
    assert cli.ok("sts", "get-access-key-info", "--access-key-id", ROOT_ACCESS_KEY_ID) == {
        "Account": ACCOUNT_ID}
    cli.ok("iam", "create-user", "--user-name", "ivan")
    key = make_key(cli, "ivan")
    assert cli.ok("sts", "get-access-key-info", "--access-key-id",
                  key.access_key_id)["Account"] == ACCOUNT_ID
    cli.fails("ValidationError", "sts", "get-access-key-info", "--access-key-id",
              "AKIA-bad-id-!!!!!!!!")
