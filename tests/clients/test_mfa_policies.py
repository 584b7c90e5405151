"""Identity policies enforced on every request (mfa-policy.md): the self-service MFA policy walked
through by a new user (§6, AWS's BlockMostAccessUnlessSignedInWithMFA pattern), the BoolIfExists
pitfall, MFA age with the test clock (§7), explicit deny, group and managed policies, grammar
errors, variables and case rules (§8). Codes come from oathtool/pyotp, never from Tessera."""

import json

from harness import ACCOUNT_ID, MFA_NOW, MFA_STEP, REPO, Creds, aws_error, enable_device, totp_codes
from harness import virtual_device

SELF_SERVICE = (REPO / "examples" / "policies" / "self-service-mfa.json").read_text()


def doc(*statements, version="2012-10-17") -> str:
    body = {"Statement": list(statements)}
    if version:
        body["Version"] = version
    return json.dumps(body)


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:user/{name}"


def implicit(action: str, resource: str, who: str = "alice") -> str:
    return (f"User: {user_arn(who)} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action")


def explicit(action: str, resource: str, who: str = "alice") -> str:
    return (f"User: {user_arn(who)} is not authorized to perform: {action} on resource: {resource} "
            "with an explicit deny in an identity-based policy")


def mfa_session(tessera, creds: Creds, serial: str, seed: str, unix: int) -> Creds:
    (code,) = totp_codes(seed, unix, 1)
    got = tessera.sts(creds).get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    return Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"])


def test_new_user_enrols_under_the_self_service_policy(tessera):
    """The 13 decisions of mfa-policy.md §6, in the order a new user meets them."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("alice")
    tessera.create_user("bob")
    tessera.iam().put_user_policy(UserName="alice", PolicyName="self-service", PolicyDocument=SELF_SERVICE)
    alice = tessera.iam(creds)

    # 1, 2: own devices visible, bob's not (implicit deny: no allow covers bob).
    assert alice.list_mfa_devices(UserName="alice")["MFADevices"] == []
    with aws_error("AccessDenied", 403, implicit("iam:ListMFADevices", user_arn("bob"))):
        alice.list_mfa_devices(UserName="bob")
    # 9: everything else is denied explicitly without MFA.
    with aws_error("AccessDenied", 403, explicit("iam:CreateUser", user_arn("carol"))):
        alice.create_user(UserName="carol")
    # 3, 4: the first device is created and enabled with the access key.
    alice.list_virtual_mfa_devices()
    serial, seed = virtual_device(alice, "alice-phone")
    enable_device(alice, "alice", serial, seed, step=MFA_STEP - 2)
    # 11: abandoning or removing a device needs MFA.
    with aws_error("AccessDenied", 403, explicit("iam:DeleteVirtualMFADevice", serial)):
        alice.delete_virtual_mfa_device(SerialNumber=serial)
    # 6: deactivation with the access key is an explicit deny (the key has no MFA context).
    with aws_error("AccessDenied", 403, explicit("iam:DeactivateMFADevice", user_arn("alice"))):
        alice.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    # 5: a second device with the access key: the policy allows, the existing-device rule refuses.
    second, second_seed = virtual_device(alice, "alice-tablet")
    with aws_error("AccessDenied", 403, contains="not authenticated with an existing MFA device"):
        enable_device(alice, "alice", second, second_seed, step=MFA_STEP - 2)
    # 12: GetSessionToken is never evaluated; the MFA session opens.
    session = tessera.iam(mfa_session(tessera, creds, serial, seed, MFA_NOW))
    # 10: MFA lifts the deny, but nothing allows CreateUser.
    with aws_error("AccessDenied", 403, implicit("iam:CreateUser", user_arn("carol"))):
        session.create_user(UserName="carol")
    # 7: with MFA, alice adds her second device and removes the first.
    enable_device(session, "alice", second, second_seed, step=MFA_STEP - 2)
    session.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert [d["SerialNumber"] for d in tessera.iam().list_mfa_devices(UserName="alice")["MFADevices"]] == [second]
    # GetCallerIdentity needs no permission either.
    assert tessera.sts(creds).get_caller_identity()["Arn"] == user_arn("alice")
    # 13: root is never subject to identity policies.
    tessera.iam().create_user(UserName="carol")


def test_bool_instead_of_bool_if_exists_lets_access_keys_through(tessera):
    """The pitfall of mfa-policy.md §4.3/§6: `Bool … false` is false when the key is absent."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("alice")
    leaky = doc(allow("iam:*"),
                deny("iam:CreateUser", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    tessera.iam().put_user_policy(UserName="alice", PolicyName="leaky", PolicyDocument=leaky)
    tessera.iam(creds).create_user(UserName="carol")
    strict = doc(allow("iam:*"),
                 deny("iam:CreateUser", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    tessera.iam().put_user_policy(UserName="alice", PolicyName="leaky", PolicyDocument=strict)
    with aws_error("AccessDenied", 403, explicit("iam:CreateUser", user_arn("dave"))):
        tessera.iam(creds).create_user(UserName="dave")


def test_mfa_age_limits_a_session_before_it_expires(tessera):
    """mfa-policy.md §7 with the test clock: allowed at 1800 s, denied at 7200 s; keys never."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("alice")
    serial, seed = virtual_device(tessera.iam(), "alice-phone")
    enable_device(tessera.iam(), "alice", serial, seed, step=MFA_STEP - 2)
    fresh = doc(allow("iam:GetUser", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    tessera.iam().put_user_policy(UserName="alice", PolicyName="fresh", PolicyDocument=fresh)
    session = tessera.iam(mfa_session(tessera, creds, serial, seed, MFA_NOW))
    tessera.advance(1800)
    assert session.get_user()["User"]["UserName"] == "alice"
    tessera.advance(5400)
    with aws_error("AccessDenied", 403, implicit("iam:GetUser", user_arn("alice"))):
        session.get_user()
    with aws_error("AccessDenied", 403, implicit("iam:GetUser", user_arn("alice"))):
        tessera.iam(creds).get_user()


def test_mfa_age_deny_forms(tessera):
    """`NumericGreaterThan` lets keys through; the `IfExists` form does not (mfa-policy.md §7)."""
    tessera.freeze(MFA_NOW)
    _, creds = tessera.user_with_key("alice")
    old = {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p",
                                  PolicyDocument=doc(allow("iam:GetUser"), deny("iam:*", Condition=old)))
    tessera.iam(creds).get_user()
    old_or_absent = {"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p",
                                  PolicyDocument=doc(allow("iam:GetUser"), deny("iam:*", Condition=old_or_absent)))
    with aws_error("AccessDenied", 403, explicit("iam:GetUser", user_arn("alice"))):
        tessera.iam(creds).get_user()


def test_explicit_deny_wins_over_any_allow(tessera):
    _, creds = tessera.user_with_key("alice")
    tessera.iam().put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=doc(allow("*")))
    tessera.iam().put_user_policy(UserName="alice", PolicyName="no-users",
                                  PolicyDocument=doc(deny("iam:CreateUser", "arn:aws:iam::*:user/c*")))
    alice = tessera.iam(creds)
    alice.create_user(UserName="bob")
    with aws_error("AccessDenied", 403, explicit("iam:CreateUser", user_arn("carol"))):
        alice.create_user(UserName="carol")
    assert sorted(u["UserName"] for u in alice.list_users()["Users"]) == ["alice", "bob"]


def test_a_user_without_policies_may_do_nothing_but_identify_itself(tessera):
    _, creds = tessera.user_with_key("alice")
    with aws_error("AccessDenied", 403, implicit("iam:ListUsers", f"arn:aws:iam::{ACCOUNT_ID}:user/")):
        tessera.iam(creds).list_users()
    with aws_error("AccessDenied", 403, implicit("iam:GetUser", user_arn("alice"))):
        tessera.iam(creds).get_user()
    assert tessera.sts(creds).get_caller_identity()["Arn"] == user_arn("alice")
    tessera.sts(creds).get_session_token()


def test_group_and_managed_policies_apply_and_stop_applying(tessera):
    _, creds = tessera.user_with_key("alice")
    alice = tessera.iam(creds)
    root = tessera.iam()
    root.create_group(GroupName="readers")
    root.put_group_policy(GroupName="readers", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    with aws_error("AccessDenied", 403, contains="no identity-based policy allows"):
        alice.list_users()
    root.add_user_to_group(GroupName="readers", UserName="alice")
    alice.list_users()
    root.remove_user_from_group(GroupName="readers", UserName="alice")
    with aws_error("AccessDenied", 403, contains="no identity-based policy allows"):
        alice.list_users()

    arn = root.create_policy(PolicyName="get-users", PolicyDocument=doc(allow("iam:GetUser")))["Policy"]["Arn"]
    root.attach_user_policy(UserName="alice", PolicyArn=arn)
    alice.get_user(UserName="alice")
    # A new default version changes what the attachment grants.
    root.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("iam:ListUsers")), SetAsDefault=True)
    alice.list_users()
    with aws_error("AccessDenied", 403, implicit("iam:GetUser", user_arn("alice"))):
        alice.get_user(UserName="alice")
    root.detach_user_policy(UserName="alice", PolicyArn=arn)
    with aws_error("AccessDenied", 403, contains="no identity-based policy allows"):
        alice.list_users()

    # Managed policies attached to a group, and AWS managed policies, apply the same way.
    root.add_user_to_group(GroupName="readers", UserName="alice")
    root.attach_group_policy(GroupName="readers", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    alice.create_user(UserName="bob")
    root.put_group_policy(GroupName="readers", PolicyName="list", PolicyDocument=doc(deny("iam:CreateUser")))
    with aws_error("AccessDenied", 403, explicit("iam:CreateUser", user_arn("carol"))):
        alice.create_user(UserName="carol")


def test_policy_grammar_errors_are_malformed_policy_document(tessera):
    tessera.create_user("alice")
    cases = {
        "principal": (json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"AWS": "*"}}]}),
            "Policy document should not specify a principal."),
        "both actions": (doc({"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}), None),
        "lower-case effect": (doc({"Effect": "allow", "Action": "*", "Resource": "*"}), None),
        "duplicate sid": (doc(allow("*", Sid="One"), allow("*", Sid="One")), None),
        "unknown member": (doc(allow("*", Colour="blue")), None),
        "not json": ("{\"Version\": ", None),
    }
    for name, (text, message) in cases.items():
        with aws_error("MalformedPolicyDocument", 400, message) as e:
            tessera.iam().put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=text)
        assert e.error["Message"], name
    assert tessera.iam().list_user_policies(UserName="alice")["PolicyNames"] == []


def test_policy_variables_and_case_rules(tessera):
    _, creds = tessera.user_with_key("alice")
    alice = tessera.iam(creds)
    own = "arn:aws:iam::*:user/${aws:username}"
    # Version absent: the 2008 language does not substitute, so the pattern is literal text.
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p",
                                  PolicyDocument=doc(allow("iam:GetUser", own), version=None))
    with aws_error("AccessDenied", 403, implicit("iam:GetUser", user_arn("alice"))):
        alice.get_user(UserName="alice")
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser", own)))
    alice.get_user(UserName="alice")
    # Action names are compared without regard to case.
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p",
                                  PolicyDocument=doc(allow("IAM:listmfadevices", own)))
    alice.list_mfa_devices(UserName="alice")
    # Resources are case-sensitive: user/Alice is not alice's ARN.
    tessera.iam().put_user_policy(UserName="alice", PolicyName="p",
                                  PolicyDocument=doc(allow("iam:ListMFADevices", "arn:aws:iam::*:user/Alice")))
    with aws_error("AccessDenied", 403, implicit("iam:ListMFADevices", user_arn("alice"))):
        alice.list_mfa_devices(UserName="alice")
