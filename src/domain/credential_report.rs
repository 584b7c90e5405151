//! The credential report's CSV (`iam-mfa.md` §5.10), AWS's column set and value spellings.

use super::entities::{AccessKey, AccessKeyStatus, CredentialReportRow};
use super::ids::AccountId;
use time::OffsetDateTime;

/// Reports are regenerated at most every four hours, and expire after that [AWS].
pub const REPORT_LIFETIME_SECONDS: i64 = 4 * 3600;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the report's timestamp form.
fn when(at: OffsetDateTime) -> String {
    format!("{}+00:00", crate::clock::utc_seconds(at))
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn key_columns(key: Option<&AccessKey>) -> [String; 5] {
    let na = || "N/A".to_owned();
    match key {
        None => ["false".into(), na(), na(), na(), na()],
        Some(key) => {
            let used = key.last_used.as_ref();
            [
                flag(key.status == AccessKeyStatus::Active).into(),
                when(key.created_at),
                used.map_or_else(na, |u| when(u.at)),
                used.map_or_else(na, |u| u.region.clone()),
                used.map_or_else(na, |u| u.service.clone()),
            ]
        }
    }
}

pub fn build_csv(account: &AccountId, rows: &[CredentialReportRow]) -> Vec<u8> {
    let mut out = String::from(HEADER);
    out.push('\n');
    for row in rows {
        let password_last_used = match &row.password {
            None => "N/A".to_owned(),
            Some(facts) => facts.last_used.map_or_else(|| "no_information".to_owned(), when),
        };
        let (user, arn, enabled, changed, rotation) = match &row.user {
            None => (
                "<root_account>".to_owned(),
                format!("arn:aws:iam::{}:root", account.as_str()),
                "not_supported".to_owned(),
                "not_supported".to_owned(),
                "not_supported".to_owned(),
            ),
            Some(user) => (
                user.name.clone(),
                user.arn(),
                flag(row.password.is_some()).to_owned(),
                row.password
                    .as_ref()
                    .map_or_else(|| "N/A".to_owned(), |p| when(p.last_changed)),
                "N/A".to_owned(),
            ),
        };
        let mut fields = vec![
            user,
            arn,
            when(row.created_at),
            enabled,
            password_last_used,
            changed,
            rotation,
            flag(row.mfa_active).into(),
        ];
        fields.extend(key_columns(row.keys.first()));
        fields.extend(key_columns(row.keys.get(1)));
        fields.extend(["false", "N/A", "false", "N/A"].map(str::to_owned));
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entities::{KeyUse, Owner, PasswordFacts, User};
    use crate::domain::ids::{AccessKeyId, UserId};
    use time::macros::datetime;

    #[test]
    fn root_row_then_users_in_aws_spelling() {
        let account = AccountId::parse("123456789012").unwrap();
        let t = datetime!(2024-01-15 12:00:00 UTC);
        let key = AccessKey {
            id: AccessKeyId::from_stored("AKIAIOSFODNN7EXAMPLE".into()),
            owner: Owner::Root,
            status: AccessKeyStatus::Active,
            created_at: t,
            last_used: Some(KeyUse {
                at: t,
                region: "us-east-1".into(),
                service: "iam".into(),
            }),
        };
        let user = User {
            account_id: account.clone(),
            id: UserId::from_stored("AIDAEXAMPLEEXAMPLE234".into()),
            name: "bob".into(),
            path: "/".into(),
            created_at: t,
            password_last_used: None,
            tags: vec![],
        };
        let rows = vec![
            CredentialReportRow {
                user: None,
                created_at: t,
                password: None,
                mfa_active: false,
                keys: vec![key],
            },
            CredentialReportRow {
                user: Some(user),
                created_at: t,
                password: Some(PasswordFacts {
                    last_used: None,
                    last_changed: t,
                }),
                mfa_active: false,
                keys: vec![],
            },
        ];
        let csv = String::from_utf8(build_csv(&account, &rows)).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(
            lines[1],
            "<root_account>,arn:aws:iam::123456789012:root,2024-01-15T12:00:00+00:00,not_supported,N/A,not_supported,not_supported,false,true,2024-01-15T12:00:00+00:00,2024-01-15T12:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        );
        assert_eq!(
            lines[2],
            "bob,arn:aws:iam::123456789012:user/bob,2024-01-15T12:00:00+00:00,true,no_information,2024-01-15T12:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        );
        assert!(csv.ends_with('\n'));
    }
}
