use super::*;

fn outcome(condition: &str, context: &Context) -> Outcome {
    let json = Json::parse(condition).unwrap();
    Condition::parse(&json, true).ok().unwrap().evaluate(context)
}

fn with(key: &str, value: &str) -> Context {
    let mut context = Context::new();
    context.insert(key, value);
    context
}

/// (operator, key, policy value, matching request value, other request value,
///  result when matching, when other, when absent)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Outcome,
    Outcome,
    Outcome,
);

/// Every operator, with the key matching, not matching and absent, plain and `IfExists`.
#[test]
fn operators_present_absent_and_if_exists() {
    use Outcome::{False as F, True as T};
    let table: &[Row] = &[
        ("StringEquals", "aws:username", "alice", "alice", "Alice", T, F, F),
        ("StringNotEquals", "aws:username", "alice", "alice", "bob", F, T, T),
        (
            "StringEqualsIgnoreCase",
            "aws:username",
            "alice",
            "ALICE",
            "bob",
            T,
            F,
            F,
        ),
        (
            "StringNotEqualsIgnoreCase",
            "aws:username",
            "alice",
            "ALICE",
            "bob",
            F,
            T,
            T,
        ),
        ("StringLike", "aws:username", "al*", "alice", "bob", T, F, F),
        ("StringNotLike", "aws:username", "al?ce", "alice", "alce", F, T, T),
        ("NumericEquals", "aws:MultiFactorAuthAge", "60", "60.0", "61", T, F, F),
        ("NumericNotEquals", "aws:MultiFactorAuthAge", "60", "60", "61", F, T, T),
        (
            "NumericLessThan",
            "aws:MultiFactorAuthAge",
            "3600",
            "1800",
            "3600",
            T,
            F,
            F,
        ),
        (
            "NumericLessThanEquals",
            "aws:MultiFactorAuthAge",
            "3600",
            "3600",
            "3601",
            T,
            F,
            F,
        ),
        (
            "NumericGreaterThan",
            "aws:MultiFactorAuthAge",
            "3600",
            "7200",
            "3600",
            T,
            F,
            F,
        ),
        (
            "NumericGreaterThanEquals",
            "aws:MultiFactorAuthAge",
            "3600",
            "3600",
            "3599",
            T,
            F,
            F,
        ),
        (
            "DateEquals",
            "aws:CurrentTime",
            "2024-05-01T12:00:00Z",
            "2024-05-01T14:00:00+02:00",
            "2024-05-01T12:00:01Z",
            T,
            F,
            F,
        ),
        (
            "DateNotEquals",
            "aws:CurrentTime",
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00Z",
            "2024-05-02",
            F,
            T,
            T,
        ),
        (
            "DateLessThan",
            "aws:CurrentTime",
            "2024-05-01",
            "2024-04-30T23:59:59Z",
            "2024-05-01T00:00:00Z",
            T,
            F,
            F,
        ),
        (
            "DateLessThanEquals",
            "aws:CurrentTime",
            "2024-05-01",
            "2024-05-01T00:00:00Z",
            "2024-05-01T00:00:01Z",
            T,
            F,
            F,
        ),
        (
            "DateGreaterThan",
            "aws:EpochTime",
            "2024-05-01T00:00:00Z",
            "1714521601",
            "1714521600",
            T,
            F,
            F,
        ),
        (
            "DateGreaterThanEquals",
            "aws:EpochTime",
            "1714521600",
            "1714521600",
            "1714521599",
            T,
            F,
            F,
        ),
        ("Bool", "aws:MultiFactorAuthPresent", "true", "TRUE", "false", T, F, F),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            "arn:aws:iam::*:user/a*",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/alice",
            T,
            F,
            F,
        ),
        (
            "ArnLike",
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:*",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::444455556666:user/alice",
            T,
            F,
            F,
        ),
        (
            "ArnNotEquals",
            "aws:PrincipalArn",
            "arn:aws:iam::*:user/alice",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:user/bob",
            F,
            T,
            T,
        ),
        (
            "ArnNotLike",
            "aws:PrincipalArn",
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::111122223333:user/x",
            "not-an-arn",
            F,
            T,
            T,
        ),
    ];
    for &(operator, key, value, matching, other, on_match, on_other, on_absent) in table {
        let plain = format!(r#"{{"{operator}": {{"{key}": "{value}"}}}}"#);
        let if_exists = format!(r#"{{"{operator}IfExists": {{"{key}": "{value}"}}}}"#);
        for (condition, absent) in [(&plain, on_absent), (&if_exists, T)] {
            assert_eq!(
                outcome(condition, &with(key, matching)),
                on_match,
                "{condition} with {matching}"
            );
            assert_eq!(
                outcome(condition, &with(key, other)),
                on_other,
                "{condition} with {other}"
            );
            assert_eq!(
                outcome(condition, &Context::new()),
                absent,
                "{condition} without the key"
            );
        }
    }
}

#[test]
fn null_tests_presence() {
    let present = with("aws:MultiFactorAuthAge", "10");
    let absent = Context::new();
    let table = [
        (
            r#"{"Null": {"aws:MultiFactorAuthAge": "true"}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (
            r#"{"Null": {"aws:MultiFactorAuthAge": "false"}}"#,
            Outcome::True,
            Outcome::False,
        ),
        (
            r#"{"Null": {"aws:MultiFactorAuthAge": true}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (
            r#"{"Null": {"aws:MultiFactorAuthAge": "yes"}}"#,
            Outcome::Unknown,
            Outcome::Unknown,
        ),
        (
            r#"{"NullIfExists": {"aws:MultiFactorAuthAge": "true"}}"#,
            Outcome::Unknown,
            Outcome::Unknown,
        ),
    ];
    for (condition, when_present, when_absent) in table {
        assert_eq!(outcome(condition, &present), when_present, "{condition}");
        assert_eq!(outcome(condition, &absent), when_absent, "{condition}");
    }
}

#[test]
fn blocks_are_and_of_operators_and_keys_or_of_values() {
    let mut context = with("aws:username", "alice");
    context.insert("aws:MultiFactorAuthPresent", "true");
    let table = [
        (r#"{"StringEquals": {"aws:username": ["bob", "alice"]}}"#, Outcome::True),
        (r#"{"StringEquals": {"aws:username": []}}"#, Outcome::False),
        (r#"{"StringNotEquals": {"aws:username": []}}"#, Outcome::True),
        (
            r#"{"StringEquals": {"aws:username": "alice", "aws:MultiFactorAuthPresent": "false"}}"#,
            Outcome::False,
        ),
        (
            r#"{"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:MultiFactorAuthPresent": true}}"#,
            Outcome::True,
        ),
        (
            r#"{"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:MultiFactorAuthPresent": false}}"#,
            Outcome::False,
        ),
        (r#"{}"#, Outcome::True),
        (r#"{"StringEquals": {}}"#, Outcome::True),
        // Key names ignore case; operator names do not.
        (r#"{"StringEquals": {"AWS:USERNAME": "alice"}}"#, Outcome::True),
        (r#"{"stringequals": {"aws:username": "alice"}}"#, Outcome::Unknown),
    ];
    for (condition, expected) in table {
        assert_eq!(outcome(condition, &context), expected, "{condition}");
    }
}

#[test]
fn unsupported_things_are_unknown() {
    let context = with("aws:username", "alice");
    let table = [
        r#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"BinaryEquals": {"aws:username": "YWxpY2U="}}"#,
        r#"{"StringEqualsSometimes": {"aws:username": "alice"}}"#,
        // A key Tessera does not know and the request does not carry.
        r#"{"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}"#,
        r#"{"StringNotEquals": {"aws:PrincipalTag/team": "x"}}"#,
        // Values of the wrong type.
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "soon"}}"#,
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "1e3"}}"#,
        r#"{"DateLessThan": {"aws:CurrentTime": "yesterday"}}"#,
        // Unknown dominates a clause that is false.
        r#"{"StringEquals": {"aws:username": "bob"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
    ];
    for condition in table {
        assert_eq!(outcome(condition, &context), Outcome::Unknown, "{condition}");
    }
    // A request value of the wrong type is unknown too.
    let odd = with("aws:MultiFactorAuthAge", "recent");
    assert_eq!(
        outcome(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "10"}}"#, &odd),
        Outcome::Unknown
    );
    // A key the caller supplies is evaluated even if Tessera does not know it.
    let tagged = with("aws:PrincipalTag/team", "blue");
    assert_eq!(
        outcome(r#"{"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#, &tagged),
        Outcome::True
    );
}

#[test]
fn set_qualifiers_over_multi_valued_keys() {
    let mut tags = Context::new();
    tags.insert_many("aws:TagKeys", ["env", "team"]);
    let mut empty = Context::new();
    empty.insert_many("aws:TagKeys", Vec::<String>::new());
    // (condition, with ["env","team"], with [])
    let table = [
        (
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "owner"]}}"#,
            Outcome::True,
            Outcome::True,
        ),
        (
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (
            r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#,
            Outcome::True,
            Outcome::False,
        ),
        (
            r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}"#,
            Outcome::False,
            Outcome::False,
        ),
        (
            r#"{"ForAnyValue:StringLike": {"aws:TagKeys": "t*"}}"#,
            Outcome::True,
            Outcome::False,
        ),
        (
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["owner"]}}"#,
            Outcome::True,
            Outcome::True,
        ),
        (
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["env"]}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}"#,
            Outcome::True,
            Outcome::False,
        ),
        (
            r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["owner"]}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (
            r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#,
            Outcome::Unknown,
            Outcome::Unknown,
        ),
        // Unqualified: any value matches; negated: none does; empty is a missing key.
        (
            r#"{"StringEquals": {"aws:TagKeys": "team"}}"#,
            Outcome::True,
            Outcome::False,
        ),
        (
            r#"{"StringNotEquals": {"aws:TagKeys": "team"}}"#,
            Outcome::False,
            Outcome::True,
        ),
        (r#"{"Null": {"aws:TagKeys": "true"}}"#, Outcome::False, Outcome::True),
    ];
    for (condition, with_tags, with_none) in table {
        assert_eq!(outcome(condition, &tags), with_tags, "{condition} with tags");
        assert_eq!(outcome(condition, &empty), with_none, "{condition} with no tags");
    }
    // Not supplied at all, and not a key Tessera knows: fail closed, qualifier or not.
    assert_eq!(
        outcome(
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "env"}}"#,
            &Context::new()
        ),
        Outcome::Unknown
    );
}

#[test]
fn variables_in_condition_values() {
    let mut context = with("aws:username", "alice");
    context.insert("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice");
    let table = [
        (
            r#"{"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/${aws:username}"}}"#,
            Outcome::True,
        ),
        (
            r#"{"StringLike": {"aws:PrincipalArn": "*/${aws:username}"}}"#,
            Outcome::True,
        ),
        (
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"}}"#,
            Outcome::True,
        ),
        (r#"{"StringEquals": {"aws:username": "${aws:userid}"}}"#, Outcome::False),
        (
            r#"{"StringEquals": {"aws:username": "${aws:userid, 'alice'}"}}"#,
            Outcome::True,
        ),
        (
            r#"{"StringNotEquals": {"aws:username": "${aws:userid}"}}"#,
            Outcome::True,
        ),
    ];
    for (condition, expected) in table {
        assert_eq!(outcome(condition, &context), expected, "{condition}");
    }
    // In the 2008 language the same text is literal.
    let json = Json::parse(r#"{"StringLike": {"aws:PrincipalArn": "*/${aws:username}"}}"#).unwrap();
    assert_eq!(
        Condition::parse(&json, false).ok().unwrap().evaluate(&context),
        Outcome::False
    );
}

#[test]
fn shapes_refused_at_parse() {
    for condition in [
        r#"[]"#,
        r#""StringEquals""#,
        r#"{"StringEquals": "alice"}"#,
        r#"{"StringEquals": {"aws:username": null}}"#,
        r#"{"StringEquals": {"aws:username": {"a": "b"}}}"#,
        r#"{"StringEquals": {"aws:username": [["a"]]}}"#,
        r#"{"StringEquals": {"aws:username": [null]}}"#,
    ] {
        assert!(
            Condition::parse(&Json::parse(condition).unwrap(), true).is_err(),
            "{condition}"
        );
    }
}

#[test]
fn numbers_and_instants() {
    for (text, number) in [
        ("10", Some(10.0)),
        ("-1.5", Some(-1.5)),
        ("+2", Some(2.0)),
        ("1.", None),
        (".5", None),
        ("1e3", None),
        ("NaN", None),
        ("", None),
    ] {
        assert_eq!(parse_number(text), number, "{text}");
    }
    let noon = 1_714_564_800_000_000_000_i128; // 2024-05-01T12:00:00Z
    for (text, instant) in [
        ("2024-05-01T12:00:00Z", Some(noon)),
        ("2024-05-01T12:00:00.500Z", Some(noon + 500_000_000)),
        ("2024-05-01T14:00:00+02:00", Some(noon)),
        ("2024-05-01T12:00:00", Some(noon)),
        ("2024-05-01", Some(noon - 12 * 3600 * 1_000_000_000)),
        ("1714564800", Some(noon)),
        ("May 1st", None),
    ] {
        assert_eq!(parse_instant(text), instant, "{text}");
    }
}
