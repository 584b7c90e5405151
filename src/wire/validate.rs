//! Input validation with AWS's messages (`wire-protocol.md` §2.5): every violation in a
//! request is collected, then reported together.

use super::error::{ApiError, ErrorCode};
use super::params::Params;
use super::shapes::{EnumShape, IntShape, StrShape};

#[derive(Default)]
pub struct Validator {
    violations: Vec<String>,
}

/// Java's `String.length()` counts UTF-16 code units; AWS lengths follow it.
fn length(value: &str) -> usize {
    value.encode_utf16().count()
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    fn violation(&mut self, member: &str, value: Option<&str>, sensitive: bool, constraint: String) {
        let shown = match (value, sensitive) {
            (None, _) => "Value null".to_owned(),
            (Some(_), true) => "Value".to_owned(),
            (Some(v), false) => format!("Value '{v}'"),
        };
        self.violations.push(format!(
            "{shown} at '{member}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// Checks one string value against its shape; `member` is the lower-camel member name.
    pub fn check(&mut self, member: &str, value: &str, shape: &StrShape) -> bool {
        let before = self.violations.len();
        let len = length(value);
        if len < shape.min {
            self.violation(
                member,
                Some(value),
                shape.sensitive,
                format!("Member must have length greater than or equal to {}", shape.min),
            );
        }
        if let Some(max) = shape.max
            && len > max
        {
            self.violation(
                member,
                Some(value),
                shape.sensitive,
                format!("Member must have length less than or equal to {max}"),
            );
        }
        if let Some(pattern) = shape.pattern {
            let matches = shape.regex().is_some_and(|re| re.is_match(value));
            if !matches && len >= shape.min.max(1) {
                self.violation(
                    member,
                    Some(value),
                    shape.sensitive,
                    format!("Member must satisfy regular expression pattern: {pattern}"),
                );
            }
        }
        self.violations.len() == before
    }

    /// An optional member: `None` when absent or invalid (the violation is recorded).
    pub fn optional(&mut self, params: &Params, name: &str, shape: &StrShape) -> Option<String> {
        let value = params.get(name)?;
        self.check(&super::params::lower_first(name), value, shape)
            .then(|| value.to_owned())
    }

    /// A required member: records "must not be null" when absent.
    pub fn required(&mut self, params: &Params, name: &str, shape: &StrShape) -> Option<String> {
        if params.get(name).is_none() {
            self.violation(
                &super::params::lower_first(name),
                None,
                false,
                "Member must not be null".into(),
            );
            return None;
        }
        self.optional(params, name, shape)
    }

    pub fn optional_int(&mut self, params: &Params, name: &str, shape: &IntShape) -> Option<i64> {
        let text = params.get(name)?;
        let member = super::params::lower_first(name);
        let Ok(value) = text.parse::<i64>() else {
            self.violation(&member, Some(text), false, "Member must be an integer".into());
            return None;
        };
        if value < shape.min {
            self.violation(
                &member,
                Some(text),
                false,
                format!("Member must have value greater than or equal to {}", shape.min),
            );
            return None;
        }
        if value > shape.max {
            self.violation(
                &member,
                Some(text),
                false,
                format!("Member must have value less than or equal to {}", shape.max),
            );
            return None;
        }
        Some(value)
    }

    pub fn optional_bool(&mut self, params: &Params, name: &str) -> Option<bool> {
        match params.get(name)? {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                let other = other.to_owned();
                self.violation(
                    &super::params::lower_first(name),
                    Some(&other),
                    false,
                    "Member must be a boolean (true or false)".into(),
                );
                None
            }
        }
    }

    pub fn optional_enum(&mut self, params: &Params, name: &str, shape: &EnumShape) -> Option<String> {
        params.get(name)?;
        self.required_enum(params, name, shape)
    }

    pub fn required_enum(&mut self, params: &Params, name: &str, shape: &EnumShape) -> Option<String> {
        let member = super::params::lower_first(name);
        match params.get(name) {
            None => {
                self.violation(&member, None, false, "Member must not be null".into());
                None
            }
            Some(value) if shape.values.contains(&value) => Some(value.to_owned()),
            Some(value) => {
                let value = value.to_owned();
                self.violation(
                    &member,
                    Some(&value),
                    false,
                    format!("Member must satisfy enum value set: [{}]", shape.values.join(", ")),
                );
                None
            }
        }
    }

    /// A list's item count against the model's maximum.
    pub fn list_len(&mut self, member: &str, len: usize, max: usize) {
        if len > max {
            self.violations.push(format!(
                "Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        }
    }

    /// A required member (of any type) that is absent.
    pub fn missing(&mut self, member: &str) {
        self.violation(member, None, false, "Member must not be null".into());
    }

    /// A violation found outside the generic checks, in AWS's phrasing.
    pub fn custom(&mut self, member: &str, value: &str, constraint: &str) {
        self.violation(member, Some(value), false, constraint.to_owned());
    }

    pub fn finish(self) -> Result<(), ApiError> {
        match self.violations.len() {
            0 => Ok(()),
            1 => Err(ApiError::new(
                ErrorCode::ValidationError,
                format!("1 validation error detected: {}", self.violations.concat()),
            )),
            n => Err(ApiError::new(
                ErrorCode::ValidationError,
                format!("{n} validation errors detected: {}", self.violations.join("; ")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::shapes::{MAX_ITEMS, PASSWORD, USER_NAME};

    fn params(body: &str) -> Params {
        Params::parse("", Some(body.as_bytes()), |_| false).unwrap()
    }

    #[test]
    fn messages_follow_aws_format() {
        let mut v = Validator::new();
        v.required(&params("UserName=bad%20name"), "UserName", &USER_NAME);
        assert_eq!(
            v.finish().unwrap_err().message,
            r"1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
        );
        let mut v = Validator::new();
        v.required(&params(""), "UserName", &USER_NAME);
        v.optional_int(&params("MaxItems=0"), "MaxItems", &MAX_ITEMS);
        assert_eq!(
            v.finish().unwrap_err().message,
            "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
    }

    #[test]
    fn sensitive_values_are_not_echoed() {
        let mut v = Validator::new();
        v.required(&params(&format!("Password={}", "x".repeat(129))), "Password", &PASSWORD);
        let message = v.finish().unwrap_err().message;
        assert!(
            message.starts_with("1 validation error detected: Value at 'password'"),
            "{message}"
        );
        assert!(!message.contains("xxx"));
    }

    #[test]
    fn lengths_count_like_java() {
        let mut v = Validator::new();
        assert!(!v.check("userName", &"a".repeat(65), &USER_NAME));
        assert!(v.finish().unwrap_err().message.contains("less than or equal to 64"));
    }
}
