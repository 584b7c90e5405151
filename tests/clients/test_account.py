"""Create/Delete/ListAccountAliases and GetAccountSummary (iam-mfa.md §5.8, §5.9)."""

import pytest

from harness import ACCOUNT_ID, aws_error, validation_message

ALIAS_PATTERN = "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"


def aliases(tessera):
    resp = tessera.iam().list_account_aliases()
    assert resp["IsTruncated"] is False
    return resp["AccountAliases"]


# --- Account aliases -------------------------------------------------------------------------


def test_no_alias_at_first(tessera):
    assert aliases(tessera) == []


def test_create_list_delete_alias(tessera):
    iam = tessera.iam()
    resp = iam.create_account_alias(AccountAlias="tessera-test")
    assert set(resp) == {"ResponseMetadata"}
    assert aliases(tessera) == ["tessera-test"]
    resp = iam.delete_account_alias(AccountAlias="tessera-test")
    assert set(resp) == {"ResponseMetadata"}
    assert aliases(tessera) == []


def test_create_alias_replaces_the_current_one(tessera):
    iam = tessera.iam()
    iam.create_account_alias(AccountAlias="first-alias")
    iam.create_account_alias(AccountAlias="second-alias")
    assert aliases(tessera) == ["second-alias"]
    with aws_error("NoSuchEntity", 404):
        iam.delete_account_alias(AccountAlias="first-alias")


def test_create_existing_alias(tessera):
    tessera.iam().create_account_alias(AccountAlias="taken")
    with aws_error("EntityAlreadyExists", 409, message="The account alias taken already exists."):
        tessera.iam().create_account_alias(AccountAlias="taken")
    assert aliases(tessera) == ["taken"]


@pytest.mark.parametrize("alias,constraint", [
    ("ab", "Member must have length greater than or equal to 3"),
    ("Upper-case", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
    ("-leading", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
    ("trailing-", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
    ("double--dash", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
    ("under_score", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
])
def test_invalid_alias(tessera, alias, constraint):
    with aws_error("ValidationError", 400,
                   message=validation_message(alias, "accountAlias", constraint)):
        tessera.iam(validate=False).create_account_alias(AccountAlias=alias)
    assert aliases(tessera) == []


def test_alias_too_long_breaks_length_and_pattern(tessera):
    # The pattern bounds the length to 63 too, so AWS reports two violations.
    alias = "a" * 64
    with aws_error("ValidationError", 400, prefix="2 validation errors detected: ",
                   contains=[validation_message(alias, "accountAlias",
                             "Member must have length less than or equal to 63")[len("1 validation error detected: "):],
                             f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"]):
        tessera.iam().create_account_alias(AccountAlias=alias)
    assert aliases(tessera) == []


def test_twelve_digit_alias_is_refused(tessera):
    with aws_error("ValidationError", 400):
        tessera.iam().create_account_alias(AccountAlias="123456789013")
    assert aliases(tessera) == []


@pytest.mark.parametrize("alias", ["abc", "a" * 63, "0-9-a", "12345678901", "1234567890123"])
def test_valid_alias_edges(tessera, alias):
    tessera.iam().create_account_alias(AccountAlias=alias)
    assert aliases(tessera) == [alias]


def test_delete_alias_when_none(tessera):
    with aws_error("NoSuchEntity", 404):
        tessera.iam().delete_account_alias(AccountAlias="nothing-here")


def test_delete_alias_requires_name(tessera):
    with aws_error("ValidationError", 400, message=validation_message(
            None, "accountAlias", "Member must not be null")):
        tessera.iam(validate=False).delete_account_alias()


def test_alias_operations_need_permission(tessera):
    _, creds = tessera.user_with_key("alice")
    with aws_error("AccessDenied", 403,
                   prefix=f"User: arn:aws:iam::{ACCOUNT_ID}:user/alice is not authorized to "
                          "perform: iam:CreateAccountAlias on resource: "):
        tessera.iam(creds).create_account_alias(AccountAlias="sneaky")
    assert aliases(tessera) == []


# --- GetAccountSummary -----------------------------------------------------------------------

SUMMARY_KEYS = {
    "Users", "UsersQuota", "MFADevices", "MFADevicesInUse", "AccountMFAEnabled",
    "AccountAccessKeysPresent", "AccountPasswordPresent", "AccountSigningCertificatesPresent",
    "AccessKeysPerUserQuota", "UserPolicySizeQuota", "GroupsPerUserQuota",
    "SigningCertificatesPerUserQuota", "AttachedPoliciesPerUserQuota",
    "AttachedPoliciesPerGroupQuota", "AttachedPoliciesPerRoleQuota", "GroupPolicySizeQuota",
    "RolePolicySizeQuota", "AssumeRolePolicySizeQuota", "PolicySizeQuota",
    "VersionsPerPolicyQuota", "PolicyVersionsInUseQuota", "GroupsQuota", "RolesQuota",
    "PoliciesQuota", "InstanceProfilesQuota", "ServerCertificatesQuota", "Groups", "Roles",
    "Policies", "PolicyVersionsInUse", "InstanceProfiles", "ServerCertificates", "Providers",
    "GlobalEndpointTokenVersion",
}

FRESH = {
    "Users": 0, "UsersQuota": 5000, "MFADevices": 0, "MFADevicesInUse": 0,
    "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1,
    "AccountSigningCertificatesPresent": 0, "AccessKeysPerUserQuota": 2,
    "UserPolicySizeQuota": 2048, "GroupsPerUserQuota": 10, "SigningCertificatesPerUserQuota": 2,
    "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10, "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048, "PolicySizeQuota": 6144,
    "VersionsPerPolicyQuota": 5, "PolicyVersionsInUseQuota": 10000, "GroupsQuota": 300,
    "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20, "Groups": 0, "Roles": 0, "Policies": 0,
    "PolicyVersionsInUse": 0, "InstanceProfiles": 0, "ServerCertificates": 0, "Providers": 0,
    "GlobalEndpointTokenVersion": 1,
}


def summary(tessera, creds=None):
    return tessera.iam(creds).get_account_summary()["SummaryMap"]


def test_summary_has_all_34_keys(tessera):
    got = summary(tessera)
    assert set(got) == SUMMARY_KEYS
    assert len(SUMMARY_KEYS) == 34
    assert all(isinstance(v, int) for v in got.values()), got


def test_summary_of_a_fresh_account(tessera):
    assert summary(tessera) == FRESH


def test_summary_counts_follow_users_and_keys(tessera):
    iam = tessera.iam()
    for name in ("a", "b", "c"):
        tessera.user_with_key(name)
    iam.create_access_key(UserName="a")
    got = summary(tessera)
    assert got["Users"] == 3
    assert got["AccountAccessKeysPresent"] == 1
    assert {k: v for k, v in got.items() if k != "Users"} == {
        k: v for k, v in FRESH.items() if k != "Users"}
    for key in iam.list_access_keys(UserName="c")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="c", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="c")
    assert summary(tessera)["Users"] == 2


def test_summary_needs_permission(tessera):
    _, creds = tessera.user_with_key("dave")
    with aws_error("AccessDenied", 403,
                   prefix=f"User: arn:aws:iam::{ACCOUNT_ID}:user/dave is not authorized to "
                          "perform: iam:GetAccountSummary on resource: "):
        summary(tessera, creds)
    tessera.grant("dave", ["iam:GetAccountSummary"])
    assert summary(tessera, creds)["Users"] == 1
