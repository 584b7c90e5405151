"""Create/Get/Update/DeleteLoginProfile and the AWS default password policy (iam-mfa.md §5.5)."""

import pytest

from harness import ROOT_EMAIL, aws_error, near_now

GOOD = "Str0ng-Passw0rd"


def test_create_and_get_login_profile(tessera):
    tessera.create_user("alice")
    iam = tessera.iam()
    lp = iam.create_login_profile(UserName="alice", Password=GOOD)["LoginProfile"]
    assert lp["UserName"] == "alice"
    assert near_now(lp["CreateDate"])
    assert lp["PasswordResetRequired"] is False
    assert "Password" not in lp
    got = iam.get_login_profile(UserName="ALICE")["LoginProfile"]
    assert got["UserName"] == "alice"
    assert got["CreateDate"] == lp["CreateDate"]
    assert got["PasswordResetRequired"] is False


def test_create_login_profile_reset_required(tessera):
    tessera.create_user("bob")
    lp = tessera.iam().create_login_profile(UserName="bob", Password=GOOD,
                                            PasswordResetRequired=True)["LoginProfile"]
    assert lp["PasswordResetRequired"] is True
    assert tessera.iam().get_login_profile(UserName="bob")["LoginProfile"][
        "PasswordResetRequired"] is True


def test_create_login_profile_twice(tessera):
    tessera.create_user("carol")
    tessera.iam().create_login_profile(UserName="carol", Password=GOOD)
    with aws_error("EntityAlreadyExists", 409,
                   message="Login Profile for user carol already exists."):
        tessera.iam().create_login_profile(UserName="carol", Password="An0ther-Passw0rd")


def test_create_login_profile_missing_user(tessera):
    with aws_error("NoSuchEntity", 404):
        tessera.iam().create_login_profile(UserName="ghost", Password=GOOD)


def test_create_login_profile_root_without_user_name(tessera):
    with aws_error("ValidationError", 400,
                   message="Must specify userName when calling with non-User credentials"):
        tessera.iam().create_login_profile(Password=GOOD)


@pytest.mark.parametrize("password", [
    "Sh0rt!",            # fewer than 8 characters
    "alllowercase",      # one character class
    "lowercase123",      # two classes
    "UPPER-CASE-ONLY",   # two classes
    ROOT_EMAIL,          # three classes, but the root e-mail address
])
def test_password_policy_violation(tessera, password):
    tessera.create_user("dave")
    with aws_error("PasswordPolicyViolation", 400):
        tessera.iam().create_login_profile(UserName="dave", Password=password)
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_login_profile(UserName="dave")


@pytest.mark.parametrize("password", ["Lowercase123", "lower-case-1", "UPPER lower ^", "Ab1!Ab1!",
                                      "x" * 100 + "Y1"])
def test_password_policy_accepts(tessera, password):
    tessera.create_user("erin")
    tessera.iam().create_login_profile(UserName="erin", Password=password)


def test_password_equal_to_account_alias_is_refused(tessera):
    tessera.iam().create_account_alias(AccountAlias="tessera-test-42")
    tessera.create_user("frank")
    with aws_error("PasswordPolicyViolation", 400):
        tessera.iam().create_login_profile(UserName="frank", Password="tessera-test-42")
    tessera.iam().create_login_profile(UserName="frank", Password="tessera-test-43")


def test_password_too_long_is_validation_error_and_not_echoed(tessera):
    tessera.create_user("gina")
    pw = "Aa1!" * 33  # 132 characters
    with aws_error("ValidationError", 400,
                   message="1 validation error detected: Value at 'password' failed to satisfy "
                           "constraint: Member must have length less than or equal to 128") as e:
        tessera.iam().create_login_profile(UserName="gina", Password=pw)
    assert pw not in e.error["Message"]


def test_get_login_profile_missing(tessera):
    tessera.create_user("hank")
    with aws_error("NoSuchEntity", 404, message="Login Profile for User hank cannot be found."):
        tessera.iam().get_login_profile(UserName="hank")
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_login_profile(UserName="ghost")


def test_get_login_profile_as_the_user(tessera):
    _, creds = tessera.user_with_key("ivan")
    tessera.grant("ivan", ["iam:GetLoginProfile"])
    tessera.iam().create_login_profile(UserName="ivan", Password=GOOD)
    assert tessera.iam(creds).get_login_profile()["LoginProfile"]["UserName"] == "ivan"


def test_update_login_profile(tessera):
    tessera.create_user("judy")
    iam = tessera.iam()
    created = iam.create_login_profile(UserName="judy", Password=GOOD)["LoginProfile"]
    resp = iam.update_login_profile(UserName="judy", PasswordResetRequired=True)
    assert set(resp) == {"ResponseMetadata"}
    lp = iam.get_login_profile(UserName="judy")["LoginProfile"]
    assert lp["PasswordResetRequired"] is True
    assert lp["CreateDate"] == created["CreateDate"]
    iam.update_login_profile(UserName="judy", Password="N3w-Passw0rd!", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="judy")["LoginProfile"]["PasswordResetRequired"] is False


def test_update_login_profile_policy_violation(tessera):
    tessera.create_user("kim")
    tessera.iam().create_login_profile(UserName="kim", Password=GOOD)
    with aws_error("PasswordPolicyViolation", 400):
        tessera.iam().update_login_profile(UserName="kim", Password="weak")


def test_update_login_profile_missing(tessera):
    tessera.create_user("leo")
    with aws_error("NoSuchEntity", 404):
        tessera.iam().update_login_profile(UserName="leo", Password=GOOD)
    with aws_error("NoSuchEntity", 404):
        tessera.iam().update_login_profile(UserName="ghost", Password=GOOD)


def test_delete_login_profile(tessera):
    _, creds = tessera.user_with_key("mia")
    iam = tessera.iam()
    iam.create_login_profile(UserName="mia", Password=GOOD)
    resp = iam.delete_login_profile(UserName="mia")
    assert set(resp) == {"ResponseMetadata"}
    with aws_error("NoSuchEntity", 404, message="Login Profile for User mia cannot be found."):
        iam.get_login_profile(UserName="mia")
    with aws_error("NoSuchEntity", 404):
        iam.delete_login_profile(UserName="mia")
    # Deleting a password does not disable access keys.
    assert tessera.sts(creds).get_caller_identity()["Arn"].endswith(":user/mia")
    # A new profile can be created afterwards.
    iam.create_login_profile(UserName="mia", Password=GOOD)


def test_delete_login_profile_missing_user(tessera):
    with aws_error("NoSuchEntity", 404):
        tessera.iam().delete_login_profile(UserName="ghost")
