//! Decision tables over whole policies: `mfa-policy.md` §6–§8.

use super::*;

const REFERENCE: &str = include_str!("../../examples/policies/self-service-mfa.json");
const ACCOUNT: &str = "111122223333";

fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// The context of IAM user `name` signed with `credential`.
fn context_of(name: &str, credential: Credential) -> Context {
    let mut context = Context::new();
    context.insert("aws:username", name);
    context.insert("aws:userid", "AIDAEXAMPLE");
    context.insert("aws:PrincipalType", "User");
    context.insert("aws:PrincipalAccount", ACCOUNT);
    context.insert("aws:PrincipalArn", user(name));
    match credential {
        Credential::AccessKey => {}
        Credential::MfaSession(age) => {
            context.insert("aws:MultiFactorAuthPresent", "true");
            context.insert("aws:MultiFactorAuthAge", age.to_string());
        }
        Credential::PasswordOnlyConsole => context.insert("aws:MultiFactorAuthPresent", "false"),
    }
    context
}

#[derive(Clone, Copy, Debug)]
enum Credential {
    AccessKey,
    MfaSession(u32),
    PasswordOnlyConsole,
}

fn decide_one(policy: &str, action: &str, resource: &str, context: &Context) -> Decision {
    let policy = parse(policy, PolicyKind::Identity).unwrap();
    decide(
        [&policy],
        &Request {
            action,
            resource,
            context,
        },
    )
}

/// `mfa-policy.md` §6, for alice holding only the reference policy. Rows 5, 12 and 13 are
/// decided outside the engine (existing-device rule, STS and root skip evaluation); the engine
/// still gives the policy's answer for them.
#[test]
fn reference_policy_decisions() {
    use Credential::*;
    use Decision::*;
    let device = format!("arn:aws:iam::{ACCOUNT}:mfa/alice-phone");
    let table = [
        (1, AccessKey, "iam:ListMFADevices", user("alice"), Allow),
        (2, AccessKey, "iam:ListMFADevices", user("bob"), ImplicitDeny),
        (3, AccessKey, "iam:CreateVirtualMFADevice", device.clone(), Allow),
        (4, AccessKey, "iam:EnableMFADevice", user("alice"), Allow),
        (5, AccessKey, "iam:EnableMFADevice", user("alice"), Allow),
        (6, AccessKey, "iam:DeactivateMFADevice", user("alice"), ExplicitDeny),
        (7, MfaSession(60), "iam:DeactivateMFADevice", user("alice"), Allow),
        (
            8,
            PasswordOnlyConsole,
            "iam:DeactivateMFADevice",
            user("alice"),
            ExplicitDeny,
        ),
        (9, AccessKey, "iam:CreateUser", user("carol"), ExplicitDeny),
        (10, MfaSession(60), "iam:CreateUser", user("carol"), ImplicitDeny),
        (11, AccessKey, "iam:DeleteVirtualMFADevice", device, ExplicitDeny),
        (12, AccessKey, "sts:GetSessionToken", "*".to_owned(), ImplicitDeny),
    ];
    for (row, credential, action, resource, expected) in table {
        let context = context_of("alice", credential);
        assert_eq!(
            decide_one(REFERENCE, action, &resource, &context),
            expected,
            "row {row}"
        );
    }
    // Row 12: the deny skips sts:GetSessionToken (it is in NotAction), so nothing denies it.
    // Row 13: root has no aws:username, so the user-scoped statements match nothing for it.
    let mut root = Context::new();
    root.insert("aws:userid", ACCOUNT);
    root.insert("aws:PrincipalType", "Account");
    let root_arn = format!("arn:aws:iam::{ACCOUNT}:root");
    assert_eq!(
        decide_one(REFERENCE, "iam:ListMFADevices", &root_arn, &root),
        ImplicitDeny
    );
    assert_eq!(
        decide_one(REFERENCE, "iam:GetUser", &user("alice"), &root),
        ImplicitDeny
    );
    // More of the self-service list without MFA, and MFA sessions outside it.
    let key = context_of("alice", AccessKey);
    assert_eq!(decide_one(REFERENCE, "iam:ListVirtualMFADevices", "*", &key), Allow);
    assert_eq!(decide_one(REFERENCE, "iam:ChangePassword", &user("alice"), &key), Allow);
    assert_eq!(
        decide_one(REFERENCE, "iam:ResyncMFADevice", &user("alice"), &key),
        Allow
    );
    // GetMFADevice is allowed but not exempt from the deny.
    assert_eq!(
        decide_one(REFERENCE, "iam:GetMFADevice", &user("alice"), &key),
        ExplicitDeny
    );
    let mfa = context_of("alice", MfaSession(60));
    assert_eq!(decide_one(REFERENCE, "iam:GetMFADevice", &user("alice"), &mfa), Allow);
    assert_eq!(
        decide_one(REFERENCE, "iam:DeactivateMFADevice", &user("bob"), &mfa),
        ImplicitDeny
    );
}

/// `mfa-policy.md` §6 pitfall: `Bool` instead of `BoolIfExists` lets access keys through.
#[test]
fn bool_instead_of_bool_if_exists_lets_access_keys_through() {
    let pitfall = REFERENCE.replace("BoolIfExists", "Bool").replace(
        "\"Statement\": [",
        "\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:*\", \"Resource\": \"*\"},",
    );
    assert_ne!(pitfall, REFERENCE);
    let create = |credential| {
        decide_one(
            &pitfall,
            "iam:CreateUser",
            &user("carol"),
            &context_of("alice", credential),
        )
    };
    assert_eq!(create(Credential::AccessKey), Decision::Allow);
    assert_eq!(create(Credential::PasswordOnlyConsole), Decision::ExplicitDeny);
    assert_eq!(create(Credential::MfaSession(5)), Decision::Allow);
    // With the reference's BoolIfExists and the same extra allow, the access key is denied.
    let fixed = REFERENCE.replace(
        "\"Statement\": [",
        "\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:*\", \"Resource\": \"*\"},",
    );
    let context = context_of("alice", Credential::AccessKey);
    assert_eq!(
        decide_one(&fixed, "iam:CreateUser", &user("carol"), &context),
        Decision::ExplicitDeny
    );
}

/// `mfa-policy.md` §7: MFA age.
#[test]
fn mfa_age() {
    use Credential::*;
    use Decision::*;
    let allow_young = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:DeleteUser", "Resource": "*",
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}}"#;
    let deny = |operator: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}},
                {{"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {{"{operator}": {{"aws:MultiFactorAuthAge": "3600"}}}}}}]}}"#
        )
    };
    let null_deny = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"Null": {"aws:MultiFactorAuthAge": "true"}}}]}"#;
    let greater = deny("NumericGreaterThan");
    let greater_if_exists = deny("NumericGreaterThanIfExists");
    let table: [(&str, Credential, Decision); 15] = [
        (allow_young, MfaSession(1800), Allow),
        (allow_young, MfaSession(7200), ImplicitDeny),
        (allow_young, AccessKey, ImplicitDeny),
        (allow_young, PasswordOnlyConsole, ImplicitDeny),
        (allow_young, MfaSession(3600), ImplicitDeny),
        (&greater, MfaSession(1800), Allow),
        (&greater, MfaSession(7200), ExplicitDeny),
        (&greater, AccessKey, Allow),
        (&greater, PasswordOnlyConsole, Allow),
        (&greater_if_exists, MfaSession(1800), Allow),
        (&greater_if_exists, MfaSession(7200), ExplicitDeny),
        (&greater_if_exists, AccessKey, ExplicitDeny),
        (null_deny, MfaSession(1800), Allow),
        (null_deny, MfaSession(7200), ExplicitDeny),
        (null_deny, AccessKey, ExplicitDeny),
    ];
    for (policy, credential, expected) in table {
        let context = context_of("alice", credential);
        assert_eq!(
            decide_one(policy, "iam:DeleteUser", &user("bob"), &context),
            expected,
            "{credential:?} {policy}"
        );
    }
}

#[test]
fn variables() {
    let own = |version: &str| {
        format!(
            r#"{{{version}"Statement": {{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${{aws:username}}"}}}}"#
        )
    };
    let alice = context_of("alice", Credential::AccessKey);
    assert_eq!(
        decide_one(
            &own(r#""Version": "2012-10-17", "#),
            "iam:GetUser",
            &user("alice"),
            &alice
        ),
        Decision::Allow
    );
    // Version absent or 2008: literal text, no match for alice...
    assert_eq!(
        decide_one(&own(""), "iam:GetUser", &user("alice"), &alice),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide_one(
            &own(r#""Version": "2008-10-17", "#),
            "iam:GetUser",
            &user("alice"),
            &alice
        ),
        Decision::ImplicitDeny
    );
    // ...but it matches a resource literally named so.
    assert_eq!(
        decide_one(&own(""), "iam:GetUser", &user("${aws:username}"), &alice),
        Decision::Allow
    );
    // Root has no aws:username: no match, even for its own ARN.
    let mut root = Context::new();
    root.insert("aws:userid", ACCOUNT);
    let policy = own(r#""Version": "2012-10-17", "#);
    assert_eq!(
        decide_one(&policy, "iam:GetUser", &format!("arn:aws:iam::{ACCOUNT}:root"), &root),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide_one(&policy, "iam:GetUser", &user(""), &root),
        Decision::ImplicitDeny
    );
    // Default value.
    let default = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username, 'nobody'}"}}"#;
    assert_eq!(
        decide_one(default, "iam:GetUser", &user("nobody"), &root),
        Decision::Allow
    );
    assert_eq!(
        decide_one(default, "iam:GetUser", &user("alice"), &alice),
        Decision::Allow
    );
    assert_eq!(
        decide_one(default, "iam:GetUser", &user("nobody"), &alice),
        Decision::ImplicitDeny
    );
    // Escapes are literal characters.
    let escapes = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/a${*}b${?}c${$}"}}"#;
    assert_eq!(
        decide_one(escapes, "iam:GetUser", &user("a*b?c$"), &alice),
        Decision::Allow
    );
    assert_eq!(
        decide_one(escapes, "iam:GetUser", &user("axbyc$"), &alice),
        Decision::ImplicitDeny
    );
    // A substituted `*` is matched literally.
    let star = context_of("*", Credential::AccessKey);
    assert_eq!(
        decide_one(&policy, "iam:GetUser", &user("bob"), &star),
        Decision::ImplicitDeny
    );
    assert_eq!(decide_one(&policy, "iam:GetUser", &user("*"), &star), Decision::Allow);
}

#[test]
fn case_rules() {
    let alice = context_of("alice", Credential::AccessKey);
    let policy = |action: &str, resource: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}}}"#
        )
    };
    // Actions ignore case.
    assert_eq!(
        decide_one(
            &policy("IAM:listmfadevices", "*"),
            "iam:ListMFADevices",
            &user("alice"),
            &alice
        ),
        Decision::Allow
    );
    assert_eq!(
        decide_one(
            &policy("iam:ListMFADevices", "*"),
            "IAM:LISTMFADEVICES",
            &user("alice"),
            &alice
        ),
        Decision::Allow
    );
    // Resources do not.
    assert_eq!(
        decide_one(
            &policy("iam:*", "arn:aws:iam::*:user/Alice"),
            "iam:GetUser",
            &user("alice"),
            &alice
        ),
        Decision::ImplicitDeny
    );
    // Condition key names ignore case.
    let keyed = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"AWS:USERNAME": "alice"}}}}"#;
    assert_eq!(
        decide_one(keyed, "iam:GetUser", &user("alice"), &alice),
        Decision::Allow
    );
}

#[test]
fn not_action_and_not_resource() {
    let alice = context_of("alice", Credential::AccessKey);
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:Delete*", "sts:*"], "NotResource": "arn:aws:iam::*:user/admin*"}]}"#;
    let table = [
        ("iam:GetUser", user("alice"), Decision::Allow),
        ("iam:DeleteUser", user("alice"), Decision::ImplicitDeny),
        ("iam:GetUser", user("admin1"), Decision::ImplicitDeny),
        ("sts:GetCallerIdentity", "*".to_owned(), Decision::ImplicitDeny),
        ("iam:ListVirtualMFADevices", "*".to_owned(), Decision::Allow),
    ];
    for (action, resource, expected) in table {
        assert_eq!(
            decide_one(policy, action, &resource, &alice),
            expected,
            "{action} {resource}"
        );
    }
}

#[test]
fn fail_closed_and_combining_policies() {
    let alice = context_of("alice", Credential::AccessKey);
    let allow_all = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        PolicyKind::Identity,
    )
    .unwrap();
    let unsupported = |effect: &str| {
        parse(
            &format!(r#"{{"Statement": {{"Effect": "{effect}", "Action": "*", "Resource": "*", "Condition": {{"IpAddress": {{"aws:SourceIp": "10.0.0.0/8"}}}}}}}}"#),
            PolicyKind::Identity,
        )
        .unwrap()
    };
    let request = Request {
        action: "iam:GetUser",
        resource: "*",
        context: &alice,
    };
    assert_eq!(decide([&unsupported("Allow")], &request), Decision::ImplicitDeny);
    assert_eq!(
        decide([&allow_all, &unsupported("Deny")], &request),
        Decision::ExplicitDeny
    );
    assert_eq!(decide([&allow_all], &request), Decision::Allow);
    assert_eq!(decide(std::iter::empty(), &request), Decision::ImplicitDeny);
    // Trust policies grant nothing to identities.
    let trust = parse(
        r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}"#,
        PolicyKind::Trust,
    )
    .unwrap();
    assert_eq!(decide([&trust], &request), Decision::ImplicitDeny);
}

mod never_panics {
    use proptest::prelude::*;

    use super::super::*;

    fn element() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "*",
            "iam:*",
            "iam:Get*",
            "IAM:getuser",
            "sts:?et*",
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::*:user/${aws:userid, 'x'}",
            "arn:aws:iam::*:user/${",
            "arn:*:*:*:*:*",
            "arn:aws",
            "${*}${?}${$}",
            "true",
            "false",
            "3600",
            "-1.5",
            "2024-01-01T00:00:00Z",
            "1700000000",
            "",
        ])
        .prop_map(str::to_owned)
    }

    fn action() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["*", "iam:*", "iam:Get*", "IAM:getuser", "sts:?et*", "iam:*MFA*"])
            .prop_map(str::to_owned)
    }

    fn resource() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "*",
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::*:user/${aws:userid, 'x'}",
            "arn:aws:iam::*:user/${",
            "arn:*:*:*:*:*",
            "arn:aws",
            "arn:aws:iam::*:mfa/${*}${?}${$}",
        ])
        .prop_map(str::to_owned)
    }

    fn operator() -> impl Strategy<Value = String> {
        let base = prop::sample::select(vec![
            "StringEquals",
            "StringNotLike",
            "StringEqualsIgnoreCase",
            "NumericLessThan",
            "NumericNotEquals",
            "DateGreaterThan",
            "DateNotEquals",
            "Bool",
            "Null",
            "ArnLike",
            "ArnNotEquals",
            "IpAddress",
        ]);
        (
            prop::sample::select(vec!["", "ForAnyValue:", "ForAllValues:"]),
            base,
            any::<bool>(),
        )
            .prop_map(|(set, base, if_exists)| format!("{set}{base}{}", if if_exists { "IfExists" } else { "" }))
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "aws:username",
            "aws:MultiFactorAuthAge",
            "aws:MultiFactorAuthPresent",
            "aws:CurrentTime",
            "aws:EpochTime",
            "aws:PrincipalArn",
            "aws:TagKeys",
            "aws:SourceIp",
        ])
        .prop_map(str::to_owned)
    }

    fn statement() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(action(), 1..3),
            any::<bool>(),
            prop::collection::vec(resource(), 1..3),
            prop::collection::vec((operator(), key(), prop::collection::vec(element(), 0..3)), 0..3),
        )
            .prop_map(|(deny, not_action, actions, not_resource, resources, conditions)| {
                let list = |items: &[String]| serde_json::to_string(items).unwrap_or_default();
                let mut condition = serde_json::Map::new();
                for (operator, key, values) in conditions {
                    let entry = condition.entry(operator).or_insert_with(|| serde_json::json!({}));
                    if let Some(keys) = entry.as_object_mut() {
                        keys.insert(key, serde_json::json!(values));
                    }
                }
                format!(
                    r#"{{"Effect": "{}", "{}": {}, "{}": {}, "Condition": {}}}"#,
                    if deny { "Deny" } else { "Allow" },
                    if not_action { "NotAction" } else { "Action" },
                    list(&actions),
                    if not_resource { "NotResource" } else { "Resource" },
                    list(&resources),
                    serde_json::Value::Object(condition)
                )
            })
    }

    fn context() -> impl Strategy<Value = Context> {
        prop::collection::vec((key(), prop::collection::vec(element(), 0..3)), 0..5).prop_map(|entries| {
            let mut context = Context::new();
            for (key, values) in entries {
                context.insert_many(&key, values);
            }
            context
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn decide_never_panics(
            statements in prop::collection::vec(statement(), 1..4),
            version in prop::sample::select(vec!["\"Version\": \"2012-10-17\", ", ""]),
            context in context(),
            action in element(),
            resource in element(),
        ) {
            let text = format!(r#"{{{version}"Statement": [{}]}}"#, statements.join(","));
            // Every generated document is valid: it must parse, parse again to the same policy,
            // and evaluate.
            let policy = parse(&text, PolicyKind::Identity).unwrap();
            prop_assert_eq!(&policy, &parse(&text, PolicyKind::Identity).unwrap());
            let request = Request { action: &action, resource: &resource, context: &context };
            let _ = decide([&policy], &request);
            prop_assert!(size_without_whitespace(&text) <= text.chars().count());
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text, PolicyKind::Identity);
            let _ = parse(&text, PolicyKind::Trust);
            let _ = size_without_whitespace(&text);
        }
    }
}
