use super::super::{PolicyKind, parse};

const SYNTAX: &str = "Syntax errors in policy.";

fn identity_error(text: &str) -> String {
    parse(text, PolicyKind::Identity).unwrap_err().to_string()
}

fn statement(members: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": {{{members}}}}}"#)
}

#[test]
fn grammar_errors_of_mfa_policy_section_8_and_more() {
    let table = [
        // §8: Principal present; both Action and NotAction; lower-case Effect; duplicate Sid; unknown member.
        (statement(r#""Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "iam:*", "Resource": "*""#), "Policy document should not specify a principal."),
        (statement(r#""Effect": "Allow", "NotPrincipal": {"AWS": "*"}, "Action": "iam:*", "Resource": "*""#), "Policy document should not specify a principal."),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "NotAction": "sts:*", "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "allow", "Action": "iam:*", "Resource": "*""#), SYNTAX),
        (
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A1", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Sid": "A1", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}"#.to_owned(),
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "*", "Comment": "x""#), SYNTAX),
        (r#"{"Version": "2012-10-17", "Statement": [], "Extra": 1}"#.to_owned(), SYNTAX),
        // Document shape.
        ("not json".to_owned(), SYNTAX),
        ("[]".to_owned(), SYNTAX),
        (r#"{"Version": "2012-10-17"}"#.to_owned(), SYNTAX),
        (r#"{"Version": "2012-10-17", "Statement": []}"#.to_owned(), SYNTAX),
        (r#"{"Version": "2012-10-17", "Statement": "x"}"#.to_owned(), SYNTAX),
        (r#"{"Version": "2012-10-17", "Statement": ["x"]}"#.to_owned(), SYNTAX),
        (r#"{"Version": "2012-10-18", "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#.to_owned(), SYNTAX),
        (r#"{"Version": 2012, "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#.to_owned(), SYNTAX),
        (r#"{"Id": 5, "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#.to_owned(), SYNTAX),
        // Duplicate members anywhere are refused (AWS: "Duplicate condition element").
        (r#"{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#.to_owned(), SYNTAX),
        (statement(r#""Effect": "Allow", "Effect": "Deny", "Action": "iam:*", "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}, "Bool": {"aws:SecureTransport": "false"}}"#), SYNTAX),
        // Sid, Effect.
        (statement(r#""Sid": "has space", "Effect": "Allow", "Action": "iam:*", "Resource": "*""#), SYNTAX),
        (statement(r#""Sid": 1, "Effect": "Allow", "Action": "iam:*", "Resource": "*""#), SYNTAX),
        (statement(r#""Action": "iam:*", "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "Audit", "Action": "iam:*", "Resource": "*""#), SYNTAX),
        // Action.
        (statement(r#""Effect": "Allow", "Resource": "*""#), "Policy statement must contain actions."),
        (statement(r#""Effect": "Allow", "Action": [], "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": ["iam:*", 5], "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "CreateUser", "Resource": "*""#), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        (statement(r#""Effect": "Allow", "Action": "iam:Create:User", "Resource": "*""#), "Actions/Condition can contain only one colon."),
        (statement(r#""Effect": "Allow", "Action": "iam:", "Resource": "*""#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "i am:x", "Resource": "*""#), SYNTAX),
        // Resource.
        (statement(r#""Effect": "Allow", "Action": "iam:*""#), "Policy statement must contain resources."),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "*", "NotResource": "*""#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": []"#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "user/alice""#), "Resource user/alice must be in ARN format or \"*\"."),
        // Condition shape.
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": []"#), SYNTAX),
        (statement(r#""Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": null}}"#), SYNTAX),
    ];
    for (text, message) in table {
        assert_eq!(identity_error(&text), message, "{text}");
    }
}

#[test]
fn accepted_documents() {
    for text in [
        // A single statement object, Version absent or 2008, Id, empty Sid, NotAction/NotResource.
        r#"{"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#,
        r#"{"Version": "2008-10-17", "Id": "x", "Statement": [{"Sid": "", "Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["arn:aws:iam::*:user/*"]}]}"#,
        // Unsupported operators and unknown keys are stored (evaluated fail-closed).
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:MultiFactorAuthPresent": true}}}}"#,
        // Two Sids differing only in case are different.
        r#"{"Statement": [{"Sid": "a", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}"#,
        // An ARN with fewer than six segments is accepted but matches nothing.
        r#"{"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam"}}"#,
    ] {
        assert!(parse(text, PolicyKind::Identity).is_ok(), "{text}");
    }
}

#[test]
fn the_reference_policy_parses_and_reparses_identically() {
    let text = include_str!("../../../examples/policies/self-service-mfa.json");
    let first = parse(text, PolicyKind::Identity).unwrap();
    assert_eq!(first, parse(text, PolicyKind::Identity).unwrap());
    assert_eq!(first.statements.len(), 5);
}

#[test]
fn trust_grammar() {
    let trust = |statement: &str| {
        parse(
            &format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#),
            PolicyKind::Trust,
        )
    };
    let ok = [
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}"#,
        r#"{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:user/bob", "arn:aws:iam::111122223333:role/path/r"]}, "Action": "sts:AssumeRole"}"#,
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/r/s"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}"#,
        r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
        r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/x"}, "Action": "sts:AssumeRoleWithSAML"}"#,
        r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#,
        r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}"#,
    ];
    for statement in ok {
        assert!(trust(statement).is_ok(), "{statement}");
    }
    let refused = [
        (
            r#"{"Effect": "Allow", "Action": "sts:AssumeRole"}"#,
            "Missing required field Principal",
        ),
        (
            r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#,
            "Has prohibited field NotPrincipal",
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Resource": "*"}"#,
            "Has prohibited field Resource",
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "NotResource": "*"}"#,
            "Has prohibited field NotResource",
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "AWS":"alice""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}, "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1111:root"}, "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "AWS":"arn:aws:iam::1111:root""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:s3:::bucket"}, "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "AWS":"arn:aws:s3:::bucket""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"CanonicalUser": "abc"}, "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "CanonicalUser":"abc""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:root", "Action": "sts:AssumeRole"}"#,
            r#"Invalid principal in policy: "arn:aws:iam::111122223333:root""#,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole"}"#,
            SYNTAX,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": []}, "Action": "sts:AssumeRole"}"#,
            SYNTAX,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "*"}}"#,
            "Policy statement must contain actions.",
        ),
    ];
    for (statement, message) in refused {
        assert_eq!(trust(statement).unwrap_err().to_string(), message, "{statement}");
    }
}
