//! One PSKC `KeyPackage` → one [`Candidate`] (`otp.md` §8.1 structure). Problems found while
//! reading (bad base64, failed MAC, unreadable dates) are recorded on the candidate, so the
//! report can list them together with the acceptance-rule failures.

use roxmltree::Node;

use super::accept::{Candidate, ResponseFormat, SecretField};
use super::protection::Keys;
use super::value;
use super::xml::{child, child_text, child_text_nonempty, children, shown, text};
use crate::secret::TotpSeed;

/// Read the `KeyPackage` at 1-based position `index`.
pub(crate) fn read(index: usize, package: Node<'_, '_>, keys: Option<&Keys>) -> Candidate {
    let mut c = Candidate {
        index,
        ..Candidate::default()
    };
    let mut serial_no = None;
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    if let Some(device) = child(package, "DeviceInfo") {
        c.manufacturer = child_text_nonempty(device, "Manufacturer");
        c.model = child_text_nonempty(device, "Model");
        serial_no = child_text_nonempty(device, "SerialNo");
        starts.extend(date(device, "StartDate", &mut c.problems));
        ends.extend(date(device, "ExpiryDate", &mut c.problems));
    }
    let mut keys_in_package = children(package, "Key");
    let (Some(key), None) = (keys_in_package.next(), keys_in_package.next()) else {
        c.serial = serial_no;
        c.problems.push("a KeyPackage must hold exactly one Key".to_owned());
        return c;
    };

    c.key_id = key
        .attribute("Id")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    // Serial = DeviceInfo/SerialNo, else Key @Id (`otp.md` §8.5 rule 8).
    c.serial = serial_no.or_else(|| c.key_id.clone());
    c.algorithm = key.attribute("Algorithm").map(str::to_owned);
    c.issuer = child_text_nonempty(key, "Issuer");
    if let Some(params) = child(key, "AlgorithmParameters") {
        c.suite = child_text(params, "Suite");
        c.response = child(params, "ResponseFormat").map(|format| ResponseFormat {
            length: format.attribute("Length").map(str::to_owned),
            encoding: format.attribute("Encoding").map(str::to_owned),
        });
    }
    if let Some(data) = child(key, "Data") {
        c.secret = secret(data, keys, &mut c.problems);
        c.time = integer(data, "Time", keys, &mut c.problems);
        c.time_interval = integer(data, "TimeInterval", keys, &mut c.problems);
        c.drift = integer(data, "TimeDrift", keys, &mut c.problems);
    }
    if let Some(policy) = child(key, "Policy") {
        starts.extend(date(policy, "StartDate", &mut c.problems));
        ends.extend(date(policy, "ExpiryDate", &mut c.problems));
        c.key_usage = children(policy, "KeyUsage")
            .map(|u| text(u).as_str().to_owned())
            .collect();
    }
    // Both DeviceInfo and Policy may bound the key's life; the narrower window applies.
    c.not_before = starts.into_iter().max();
    c.not_after = ends.into_iter().min();
    c
}

fn secret(data: Node<'_, '_>, keys: Option<&Keys>, problems: &mut Vec<String>) -> SecretField {
    let Some(element) = child(data, "Secret") else {
        return SecretField::Absent;
    };
    match value::read(element, keys).and_then(value::bytes) {
        Ok(mut bytes) => SecretField::Present(TotpSeed::new(std::mem::take(&mut *bytes))),
        Err(why) => {
            problems.push(format!("Secret {why}"));
            SecretField::Unreadable
        }
    }
}

fn integer(data: Node<'_, '_>, name: &str, keys: Option<&Keys>, problems: &mut Vec<String>) -> Option<i64> {
    let element = child(data, name)?;
    match value::read(element, keys).and_then(|raw| value::integer(&raw)) {
        Ok(number) => Some(number),
        Err(why) => {
            problems.push(format!("{name} {why}"));
            None
        }
    }
}

/// An `xs:dateTime` as unix seconds. RFC 6030 asks for UTC without a zone, its examples end in
/// `Z`; both are read as UTC.
fn date(node: Node<'_, '_>, name: &str, problems: &mut Vec<String>) -> Option<i64> {
    let value = child_text_nonempty(node, name)?;
    let parsed = parse_date(&value);
    if parsed.is_none() {
        problems.push(format!("{name} {} is not a date and time", shown(&value)));
    }
    parsed
}

fn parse_date(value: &str) -> Option<i64> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(value, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{value}Z"), &Rfc3339))
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_and_without_zone() {
        assert_eq!(parse_date("2006-05-31T00:00:00Z"), Some(1_149_033_600));
        assert_eq!(parse_date("2006-05-31T00:00:00"), Some(1_149_033_600));
        assert_eq!(parse_date("2006-05-31T02:00:00+02:00"), Some(1_149_033_600));
        assert_eq!(parse_date("2006-05-31T00:00:00.500Z"), Some(1_149_033_600));
        assert_eq!(parse_date("31/05/2006"), None);
    }

    #[test]
    fn narrower_window_and_key_id_fallback() {
        let xml = r#"<KeyPackage xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
            <DeviceInfo><ExpiryDate>2030-01-01T00:00:00Z</ExpiryDate>
              <StartDate>2020-01-01T00:00:00Z</StartDate></DeviceInfo>
            <Key Id=" K-000000001 " Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
              <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
                <TimeDrift><PlainValue>-3</PlainValue></TimeDrift></Data>
              <Policy><StartDate>2021-01-01T00:00:00Z</StartDate>
                <ExpiryDate>2029-01-01T00:00:00Z</ExpiryDate></Policy>
            </Key></KeyPackage>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let c = read(1, doc.root_element(), None);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.serial.as_deref(), Some("K-000000001"));
        assert_eq!(c.drift, Some(-3));
        assert_eq!(c.not_before, parse_date("2021-01-01T00:00:00Z"));
        assert_eq!(c.not_after, parse_date("2029-01-01T00:00:00Z"));
    }

    #[test]
    fn two_keys_or_none_are_refused() {
        for xml in [
            "<KeyPackage><Key Id='a'/><Key Id='b'/></KeyPackage>",
            "<KeyPackage><DeviceInfo><SerialNo>S</SerialNo></DeviceInfo></KeyPackage>",
        ] {
            let doc = roxmltree::Document::parse(xml).unwrap();
            let c = read(2, doc.root_element(), None);
            assert_eq!(c.problems, ["a KeyPackage must hold exactly one Key"]);
        }
    }
}
