use super::super::{Context, PolicyKind, Request, parse};
use super::*;

const ACCOUNT: &str = "111122223333";

fn trust(principal: &str, extra: &str) -> Policy {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"{extra}}}]}}"#
    );
    parse(&text, PolicyKind::Trust).unwrap()
}

fn decide_for(policy: &Policy, arn: &str, account_id: &str, context: &Context) -> TrustDecision {
    let principal = TrustPrincipal { account_id, arn };
    let request = Request {
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111122223333:role/target",
        context,
    };
    decide_trust(policy, &principal, &request)
}

#[test]
fn principals() {
    use TrustDecision::*;
    let alice = "arn:aws:iam::111122223333:user/alice";
    let session = "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-7";
    let named = Allow { names_principal: true };
    let through_account = Allow { names_principal: false };
    let table = [
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
            alice,
            ACCOUNT,
            named,
        ),
        (
            r#"{"AWS": ["arn:aws:iam::111122223333:user/bob"]}"#,
            alice,
            ACCOUNT,
            ImplicitDeny,
        ),
        (r#"{"AWS": "111122223333"}"#, alice, ACCOUNT, through_account),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:root"}"#,
            alice,
            ACCOUNT,
            through_account,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:root"}"#,
            "arn:aws:iam::111122223333:root",
            ACCOUNT,
            named,
        ),
        (r#""*""#, alice, ACCOUNT, named),
        (
            r#"{"AWS": "*"}"#,
            "arn:aws:iam::444455556666:user/eve",
            "444455556666",
            named,
        ),
        // Wrong account, by ID, root ARN or user ARN.
        (r#"{"AWS": "444455556666"}"#, alice, ACCOUNT, ImplicitDeny),
        (
            r#"{"AWS": "arn:aws:iam::444455556666:root"}"#,
            alice,
            ACCOUNT,
            ImplicitDeny,
        ),
        (
            r#"{"AWS": "arn:aws:iam::444455556666:user/alice"}"#,
            alice,
            ACCOUNT,
            ImplicitDeny,
        ),
        // An assumed-role session is matched by its role's ARN (with or without a path).
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/deployer"}"#,
            session,
            ACCOUNT,
            named,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/ops/deployer"}"#,
            session,
            ACCOUNT,
            named,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/other"}"#,
            session,
            ACCOUNT,
            ImplicitDeny,
        ),
        (
            r#"{"AWS": "arn:aws:iam::444455556666:role/deployer"}"#,
            session,
            ACCOUNT,
            ImplicitDeny,
        ),
        (
            r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-7"}"#,
            session,
            ACCOUNT,
            named,
        ),
        (
            r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/deployer/other"}"#,
            session,
            ACCOUNT,
            ImplicitDeny,
        ),
        // A role ARN does not match a user of the same name.
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/alice"}"#,
            alice,
            ACCOUNT,
            ImplicitDeny,
        ),
        // Service and federated principals never match IAM callers.
        (r#"{"Service": "ec2.amazonaws.com"}"#, alice, ACCOUNT, ImplicitDeny),
        // The strongest match across entries wins.
        (
            r#"{"AWS": ["111122223333", "arn:aws:iam::111122223333:user/alice"]}"#,
            alice,
            ACCOUNT,
            named,
        ),
    ];
    for (principal, arn, account, expected) in table {
        assert_eq!(
            decide_for(&trust(principal, ""), arn, account, &Context::new()),
            expected,
            "{principal} for {arn}"
        );
    }
}

#[test]
fn actions_must_match() {
    let policy = trust(r#"{"AWS": "111122223333"}"#, "");
    let principal = TrustPrincipal {
        account_id: ACCOUNT,
        arn: "arn:aws:iam::111122223333:user/alice",
    };
    let context = Context::new();
    let request = Request {
        action: "sts:TagSession",
        resource: "*",
        context: &context,
    };
    assert_eq!(decide_trust(&policy, &principal, &request), TrustDecision::ImplicitDeny);
    let request = Request {
        action: "STS:assumerole",
        resource: "*",
        context: &context,
    };
    assert_eq!(
        decide_trust(&policy, &principal, &request),
        TrustDecision::Allow { names_principal: false }
    );
}

#[test]
fn mfa_condition() {
    let policy = trust(
        r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
        r#", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
    );
    let alice = "arn:aws:iam::111122223333:user/alice";
    let mut with_mfa = Context::new();
    with_mfa.insert("aws:MultiFactorAuthPresent", "true");
    let mut without_mfa = Context::new();
    without_mfa.insert("aws:MultiFactorAuthPresent", "false");
    assert_eq!(
        decide_for(&policy, alice, ACCOUNT, &with_mfa),
        TrustDecision::Allow { names_principal: true }
    );
    assert_eq!(
        decide_for(&policy, alice, ACCOUNT, &without_mfa),
        TrustDecision::ImplicitDeny
    );
    assert_eq!(
        decide_for(&policy, alice, ACCOUNT, &Context::new()),
        TrustDecision::ImplicitDeny
    );
}

#[test]
fn deny_statements_win() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/mallory"}, "Action": "sts:*"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;
    let policy = parse(text, PolicyKind::Trust).unwrap();
    let mut mfa = Context::new();
    mfa.insert("aws:MultiFactorAuthPresent", "true");
    let alice = "arn:aws:iam::111122223333:user/alice";
    let mallory = "arn:aws:iam::111122223333:user/mallory";
    assert_eq!(
        decide_for(&policy, alice, ACCOUNT, &mfa),
        TrustDecision::Allow { names_principal: false }
    );
    assert_eq!(decide_for(&policy, mallory, ACCOUNT, &mfa), TrustDecision::ExplicitDeny);
    assert_eq!(
        decide_for(&policy, alice, ACCOUNT, &Context::new()),
        TrustDecision::ExplicitDeny
    );
}

#[test]
fn identity_policies_trust_nobody() {
    let identity = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        PolicyKind::Identity,
    )
    .unwrap();
    let decision = decide_for(
        &identity,
        "arn:aws:iam::111122223333:user/alice",
        ACCOUNT,
        &Context::new(),
    );
    assert_eq!(decision, TrustDecision::ImplicitDeny);
}
