//! Input shapes from botocore's models (`iam/2010-05-08`, `sts/2011-06-15`): lengths and
//! patterns exactly as modelled. A unit test compares each against the installed botocore.

use regex::Regex;
use std::sync::LazyLock;

/// A modelled string shape.
pub struct StrShape {
    pub botocore: &'static str,
    pub min: usize,
    pub max: Option<usize>,
    /// The pattern as botocore writes it; it is what error messages quote.
    pub pattern: Option<&'static str>,
    pub sensitive: bool,
    regex: LazyLock<Option<Regex>>,
}

impl StrShape {
    /// `None` when the pattern does not compile, which a unit test rules out.
    pub fn regex(&self) -> Option<&Regex> {
        self.regex.as_ref()
    }
}

/// AWS applies patterns as a full match with Java semantics, where `\w` and `\d` are ASCII.
/// Rust's `regex` reads them as Unicode classes, so they are spelled out here; Unicode
/// classes such as `\p{L}` stay Unicode.
pub fn compile(pattern: &str) -> Option<Regex> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') if in_class => out.push_str("A-Za-z0-9_"),
                Some('w') => out.push_str("[A-Za-z0-9_]"),
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => return None,
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Regex::new(&format!("^(?:{out})$")).ok()
}

macro_rules! string_shape {
    ($name:ident, $botocore:literal, $min:expr, $max:expr, $pattern:expr, $sensitive:expr) => {
        string_shape!($name, $botocore, $min, $max, $pattern, $sensitive, $pattern);
    };
    // `$runnable`: the pattern as `regex` can run it, where the model's cannot be compiled.
    ($name:ident, $botocore:literal, $min:expr, $max:expr, $pattern:expr, $sensitive:expr, $runnable:expr) => {
        pub static $name: StrShape = StrShape {
            botocore: $botocore,
            min: $min,
            max: $max,
            pattern: $pattern,
            sensitive: $sensitive,
            regex: LazyLock::new(|| match $runnable {
                Some(p) => compile(p),
                None => Regex::new("(?s:.*)").ok(),
            }),
        };
    };
}

string_shape!(USER_NAME, "userNameType", 1, Some(64), Some(r"[\w+=,.@-]+"), false);
string_shape!(
    EXISTING_USER_NAME,
    "existingUserNameType",
    1,
    Some(128),
    Some(r"[\w+=,.@-]+"),
    false
);
string_shape!(
    PATH,
    "pathType",
    1,
    Some(512),
    Some(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"),
    false
);
string_shape!(
    PATH_PREFIX,
    "pathPrefixType",
    1,
    Some(512),
    Some(r"\u002F[\u0021-\u007F]*"),
    false
);
string_shape!(MARKER, "markerType", 1, Some(320), Some(r"[\u0020-\u00FF]+"), false);
string_shape!(ARN, "arnType", 20, Some(2048), None, false);
string_shape!(
    TAG_KEY,
    "tagKeyType",
    1,
    Some(128),
    Some(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"),
    false
);
string_shape!(
    TAG_VALUE,
    "tagValueType",
    0,
    Some(256),
    Some(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"),
    false
);
string_shape!(
    PASSWORD,
    "passwordType",
    1,
    Some(128),
    Some(r"[\u0009\u000A\u000D\u0020-\u00FF]+"),
    true
);
string_shape!(ACCESS_KEY_ID, "accessKeyIdType", 16, Some(128), Some(r"[\w]+"), false);
string_shape!(
    STS_ACCESS_KEY_ID,
    "accessKeyIdType",
    16,
    Some(128),
    Some(r"[\w]*"),
    false
);
// The model's pattern uses a look-ahead (`-(?!-)`) that `regex` lacks: it runs without it,
// and the account-alias handler refuses `--` itself.
string_shape!(
    ACCOUNT_ALIAS,
    "accountAliasType",
    3,
    Some(63),
    Some(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"),
    false,
    Some(r"[a-z0-9]([a-z0-9]|-){1,61}[a-z0-9]")
);

string_shape!(
    SERIAL_NUMBER,
    "serialNumberType",
    9,
    Some(256),
    Some(r"[\w+=/:,.@-]+"),
    false
);
string_shape!(
    AUTHENTICATION_CODE,
    "authenticationCodeType",
    6,
    Some(6),
    Some(r"[\d]+"),
    false
);
string_shape!(
    VIRTUAL_MFA_DEVICE_NAME,
    "virtualMFADeviceName",
    1,
    None,
    Some(r"[\w+=,.@-]+"),
    false
);

// Roles (IAM).
string_shape!(
    ROLE_DESCRIPTION,
    "roleDescriptionType",
    0,
    Some(1000),
    Some(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"),
    false
);

string_shape!(
    STS_SERIAL_NUMBER,
    "serialNumberType",
    9,
    Some(256),
    Some(r"[\w+=/:,.@-]*"),
    false
);
string_shape!(TOKEN_CODE, "tokenCodeType", 6, Some(6), Some(r"[\d]*"), false);

// Groups, roles and policies.
string_shape!(GROUP_NAME, "groupNameType", 1, Some(128), Some(r"[\w+=,.@-]+"), false);
string_shape!(ROLE_NAME, "roleNameType", 1, Some(64), Some(r"[\w+=,.@-]+"), false);
string_shape!(POLICY_NAME, "policyNameType", 1, Some(128), Some(r"[\w+=,.@-]+"), false);
string_shape!(
    POLICY_DOCUMENT,
    "policyDocumentType",
    1,
    Some(131_072),
    Some(r"[\u0009\u000A\u000D\u0020-\u00FF]+"),
    false
);
string_shape!(
    POLICY_PATH,
    "policyPathType",
    1,
    Some(512),
    Some(r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"),
    false
);
string_shape!(POLICY_DESCRIPTION, "policyDescriptionType", 0, Some(1000), None, false);
string_shape!(
    POLICY_VERSION_ID,
    "policyVersionIdType",
    0,
    None,
    Some(r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"),
    false
);

// AssumeRole (STS). The model writes supplementary code points as `\u10000-\u10FFFF`, which
// `regex` reads as `\u1000` followed by digits; it runs with `\x{…}` instead.
string_shape!(
    STS_ARN,
    "arnType",
    20,
    Some(2048),
    Some(r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"),
    false,
    Some(r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\x{10000}-\x{10FFFF}]+")
);
string_shape!(
    ROLE_SESSION_NAME,
    "roleSessionNameType",
    2,
    Some(64),
    Some(r"[\w+=,.@-]*"),
    false
);
string_shape!(
    EXTERNAL_ID,
    "externalIdType",
    2,
    Some(1224),
    Some(r"[\w+=,.@:\/-]*"),
    false
);

/// A modelled integer shape.
pub struct IntShape {
    pub botocore: &'static str,
    pub min: i64,
    pub max: i64,
}

pub static MAX_ITEMS: IntShape = IntShape {
    botocore: "maxItemsType",
    min: 1,
    max: 1000,
};
pub static SESSION_DURATION: IntShape = IntShape {
    botocore: "durationSecondsType",
    min: 900,
    max: 129_600,
};
pub static ROLE_MAX_SESSION_DURATION: IntShape = IntShape {
    botocore: "roleMaxSessionDurationType",
    min: 3600,
    max: 43_200,
};
pub static ROLE_DURATION: IntShape = IntShape {
    botocore: "roleDurationSecondsType",
    min: 900,
    max: 43_200,
};

/// A modelled enum shape.
pub struct EnumShape {
    pub botocore: &'static str,
    pub values: &'static [&'static str],
}

pub static ACCESS_KEY_STATUS: EnumShape = EnumShape {
    botocore: "statusType",
    values: &["Active", "Inactive", "Expired"],
};

pub static ASSIGNMENT_STATUS: EnumShape = EnumShape {
    botocore: "assignmentStatusType",
    values: &["Assigned", "Unassigned", "Any"],
};

pub static POLICY_SCOPE: EnumShape = EnumShape {
    botocore: "policyScopeType",
    values: &["All", "AWS", "Local"],
};

pub static POLICY_USAGE: EnumShape = EnumShape {
    botocore: "PolicyUsageType",
    values: &["PermissionsPolicy", "PermissionsBoundary"],
};

/// Most items a list input may carry, where botocore models a maximum.
pub const TAG_LIST_MAX: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_shapes_match_botocore() {
        let Some(iam) = crate::wire::botocore_model("iam").map(|m| m["shapes"].clone()) else {
            println!("SKIPPED: botocore is not installed; cannot compare shapes");
            return;
        };
        let sts = crate::wire::botocore_model("sts").map(|m| m["shapes"].clone()).unwrap();
        let iam_shapes = [
            &USER_NAME,
            &EXISTING_USER_NAME,
            &PATH,
            &PATH_PREFIX,
            &MARKER,
            &ARN,
            &TAG_KEY,
            &TAG_VALUE,
            &PASSWORD,
            &ACCESS_KEY_ID,
            &ACCOUNT_ALIAS,
            &SERIAL_NUMBER,
            &AUTHENTICATION_CODE,
            &VIRTUAL_MFA_DEVICE_NAME,
            &GROUP_NAME,
            &ROLE_NAME,
            &POLICY_NAME,
            &POLICY_DOCUMENT,
            &POLICY_PATH,
            &POLICY_DESCRIPTION,
            &POLICY_VERSION_ID,
            &ROLE_DESCRIPTION,
        ];
        for (model, shapes) in [
            (&iam, &iam_shapes[..]),
            (
                &sts,
                &[
                    &STS_ACCESS_KEY_ID,
                    &STS_SERIAL_NUMBER,
                    &TOKEN_CODE,
                    &STS_ARN,
                    &ROLE_SESSION_NAME,
                    &EXTERNAL_ID,
                ][..],
            ),
        ] {
            for shape in shapes {
                let m = &model[shape.botocore];
                assert_eq!(
                    m["min"].as_u64().unwrap_or(0),
                    shape.min as u64,
                    "{} min",
                    shape.botocore
                );
                assert_eq!(
                    m["max"].as_u64().map(|v| v as usize),
                    shape.max,
                    "{} max",
                    shape.botocore
                );
                assert_eq!(m["pattern"].as_str(), shape.pattern, "{} pattern", shape.botocore);
                assert_eq!(
                    m["sensitive"].as_bool().unwrap_or(false),
                    shape.sensitive,
                    "{} sensitive",
                    shape.botocore
                );
            }
        }
        assert_eq!(iam[MAX_ITEMS.botocore]["min"], MAX_ITEMS.min);
        assert_eq!(sts[SESSION_DURATION.botocore]["min"], SESSION_DURATION.min);
        assert_eq!(sts[SESSION_DURATION.botocore]["max"], SESSION_DURATION.max);
        assert_eq!(iam[MAX_ITEMS.botocore]["max"], MAX_ITEMS.max);
        for (model, shape) in [(&iam, &ROLE_MAX_SESSION_DURATION), (&sts, &ROLE_DURATION)] {
            assert_eq!(model[shape.botocore]["min"], shape.min, "{} min", shape.botocore);
            assert_eq!(model[shape.botocore]["max"], shape.max, "{} max", shape.botocore);
        }
        assert_eq!(
            iam[ACCESS_KEY_STATUS.botocore]["enum"],
            serde_json::json!(ACCESS_KEY_STATUS.values)
        );
        assert_eq!(iam["tagListType"]["max"], TAG_LIST_MAX);
        assert_eq!(
            iam[ASSIGNMENT_STATUS.botocore]["enum"],
            serde_json::json!(ASSIGNMENT_STATUS.values)
        );
        for shape in [&POLICY_SCOPE, &POLICY_USAGE] {
            assert_eq!(
                iam[shape.botocore]["enum"],
                serde_json::json!(shape.values),
                "{}",
                shape.botocore
            );
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for shape in [
            &USER_NAME,
            &EXISTING_USER_NAME,
            &PATH,
            &PATH_PREFIX,
            &MARKER,
            &ARN,
            &TAG_KEY,
            &TAG_VALUE,
            &PASSWORD,
            &ACCESS_KEY_ID,
            &STS_ACCESS_KEY_ID,
            &ACCOUNT_ALIAS,
            &GROUP_NAME,
            &ROLE_NAME,
            &POLICY_NAME,
            &POLICY_DOCUMENT,
            &POLICY_PATH,
            &POLICY_DESCRIPTION,
            &POLICY_VERSION_ID,
            &ROLE_DESCRIPTION,
            &STS_ARN,
            &ROLE_SESSION_NAME,
            &EXTERNAL_ID,
        ] {
            assert!(shape.regex().is_some(), "{}", shape.botocore);
        }
        let arn = STS_ARN.regex().unwrap();
        assert!(arn.is_match("arn:aws:iam::123456789012:role/ops\u{1F600}"));
        assert!(!arn.is_match("arn:aws:iam::123456789012:role/\u{1}"));
        let alias = ACCOUNT_ALIAS.regex().unwrap();
        assert!(alias.is_match("my-org") && !alias.is_match("-org") && !alias.is_match("My-org"));
    }

    #[test]
    fn word_class_is_ascii_and_match_is_full() {
        let re = USER_NAME.regex().unwrap();
        assert!(re.is_match("alice.b+c=d,e@f-g_1"));
        assert!(!re.is_match("élodie"));
        assert!(!re.is_match("a b"));
        let path = PATH.regex().unwrap();
        assert!(path.is_match("/"));
        assert!(path.is_match("/a/b/"));
        assert!(!path.is_match("/a"));
        assert!(!path.is_match("a/"));
        assert!(TAG_KEY.regex().unwrap().is_match("Département 2"));
    }
}
