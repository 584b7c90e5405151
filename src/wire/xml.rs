//! A small XML writer for Query-protocol responses (`wire-protocol.md` §4–5).

use super::Service;
use super::error::ApiError;

/// Builds element text; escaping happens here and nowhere else.
#[derive(Default)]
pub struct Xml {
    out: String,
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

impl Xml {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name>text</name>`
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        escape_into(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// A leaf only when there is a value (optional members are omitted, never empty).
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(name, text);
        }
        self
    }

    /// Escaped text inside the current element (list members that are plain strings).
    pub fn out_text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.out, text);
        self
    }

    /// `<name>…</name>` around whatever `body` writes.
    pub fn node(&mut self, name: &str, body: impl FnOnce(&mut Self)) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        body(self);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name><member>…</member>…</name>`; an empty list is `<name/>`.
    pub fn list<T>(&mut self, name: &str, items: &[T], mut member: impl FnMut(&mut Self, &T)) -> &mut Self {
        if items.is_empty() {
            self.out.push('<');
            self.out.push_str(name);
            self.out.push_str("/>");
            return self;
        }
        self.node(name, |xml| {
            for item in items {
                xml.node("member", |xml| member(xml, item));
            }
        })
    }

    /// The XML written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

/// The success envelope; `result` is `None` for operations without an output shape.
pub fn success(service: Service, action: &str, request_id: &str, result: Option<Xml>) -> String {
    let mut xml = Xml::new();
    xml.out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.out
        .push_str(&format!(r#"<{action}Response xmlns="{}">"#, service.namespace()));
    if let Some(result) = result {
        xml.out.push_str(&format!("<{action}Result>"));
        xml.out.push_str(&result.out);
        xml.out.push_str(&format!("</{action}Result>"));
    }
    xml.node("ResponseMetadata", |xml| {
        xml.leaf("RequestId", request_id);
    });
    xml.out.push_str(&format!("</{action}Response>"));
    xml.out
}

/// The error envelope: `RequestId` sits directly under `ErrorResponse` (§5).
pub fn error(service: Service, error: &ApiError, request_id: &str) -> String {
    let mut xml = Xml::new();
    xml.out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.out
        .push_str(&format!(r#"<ErrorResponse xmlns="{}">"#, service.namespace()));
    xml.node("Error", |xml| {
        xml.leaf("Type", error.code.fault())
            .leaf("Code", error.code.code())
            .leaf("Message", &error.message);
    });
    xml.leaf("RequestId", request_id);
    xml.out.push_str("</ErrorResponse>");
    xml.out
}

/// ISO 8601 UTC with `Z` and whole seconds, as AWS prints dates.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    format!("{}Z", crate::clock::utc_seconds(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::error::ErrorCode;

    #[test]
    fn success_without_result_has_no_result_element() {
        let body = success(Service::Iam, "DeleteUser", "r-1", None);
        assert_eq!(
            body,
            r#"<?xml version="1.0" encoding="UTF-8"?><DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DeleteUserResponse>"#
        );
    }

    #[test]
    fn success_with_result_escapes_and_lists() {
        let mut result = Xml::new();
        result.list("Users", &["a<b", "c&d"], |xml, name| {
            xml.leaf("UserName", name);
        });
        result.list("Empty", &[] as &[&str], |_, _| {});
        result.leaf("IsTruncated", "false");
        let body = success(Service::Iam, "ListUsers", "r-2", Some(result));
        assert!(body.contains("<ListUsersResult><Users><member><UserName>a&lt;b</UserName></member><member><UserName>c&amp;d</UserName></member></Users><Empty/><IsTruncated>false</IsTruncated></ListUsersResult>"), "{body}");
    }

    #[test]
    fn error_envelope_golden() {
        let body = error(
            Service::Sts,
            &ApiError::new(
                ErrorCode::MissingAuthenticationToken,
                "Request is missing Authentication Token",
            ),
            "r-3",
        );
        assert_eq!(
            body,
            r#"<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>r-3</RequestId></ErrorResponse>"#
        );
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        assert_eq!(
            timestamp(time::macros::datetime!(2024-01-15 11:58:02.5 +01:00)),
            "2024-01-15T10:58:02Z"
        );
    }
}
