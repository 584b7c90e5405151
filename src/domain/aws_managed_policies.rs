//! A small catalogue of AWS managed policies, addressable as `arn:aws:iam::aws:policy/NAME` in
//! every account. Only each policy's current default version is held; its documents carry
//! the statements AWS publishes for that version. They cannot be changed or deleted.

use super::entities::Tag;
use super::policies::{AWS_ACCOUNT, ManagedPolicy, PolicyVersion, policy_arn};
use time::OffsetDateTime;
use time::macros::datetime;

pub struct AwsManagedPolicy {
    pub name: &'static str,
    pub id: &'static str,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub description: &'static str,
    pub document: &'static str,
}

pub static CATALOGUE: [AwsManagedPolicy; 4] = [
    AwsManagedPolicy {
        name: "AdministratorAccess",
        id: "ANPAIWMBCKSKIEE64ZLYK",
        version: 1,
        created_at: datetime!(2015-02-06 18:39:46 UTC),
        updated_at: datetime!(2015-02-06 18:39:46 UTC),
        description: "Provides full access to AWS services and resources.",
        document: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}"#,
    },
    AwsManagedPolicy {
        name: "IAMFullAccess",
        id: "ANPAI7XKCFMBPM3QQRRVQ",
        version: 2,
        created_at: datetime!(2015-02-06 18:40:38 UTC),
        updated_at: datetime!(2019-06-21 19:40:00 UTC),
        description: "Provides full access to IAM via the AWS Management Console.",
        document: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
    AwsManagedPolicy {
        name: "IAMReadOnlyAccess",
        id: "ANPAJKSO7NDY4T57MWDSQ",
        version: 4,
        created_at: datetime!(2015-02-06 18:40:39 UTC),
        updated_at: datetime!(2018-01-25 19:11:27 UTC),
        description: "Provides read only access to IAM via the AWS Management Console.",
        document: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
    AwsManagedPolicy {
        name: "IAMUserChangePassword",
        id: "ANPAJ4L4MM2A7QIEB56MS",
        version: 5,
        created_at: datetime!(2016-11-15 00:25:16 UTC),
        updated_at: datetime!(2026-02-12 17:58:57 UTC),
        description: "Provides the ability for an IAM user to change their own password.",
        document: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword"
            ],
            "Resource": [
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::*:user/*/${aws:username}"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountPasswordPolicy"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
];

/// The catalogue entry named by `name` (exact case, as AWS's ARNs are).
pub fn find(name: &str) -> Option<&'static AwsManagedPolicy> {
    CATALOGUE.iter().find(|p| p.name == name)
}

impl AwsManagedPolicy {
    pub fn arn(&self) -> String {
        policy_arn(AWS_ACCOUNT, "/", self.name)
    }

    /// The policy as one account sees it, with that account's attachment count.
    pub fn describe(&self, attachment_count: i64) -> ManagedPolicy {
        ManagedPolicy {
            arn: self.arn(),
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            path: "/".to_owned(),
            description: Some(self.description.to_owned()),
            default_version: self.version,
            attachment_count,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tags: Vec::<Tag>::new(),
        }
    }

    pub fn default_version(&self) -> PolicyVersion {
        PolicyVersion {
            version: self.version,
            document: self.document.to_owned(),
            is_default: true,
            created_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_json_objects_and_names_sorted() {
        for policy in &CATALOGUE {
            let value: serde_json::Value = serde_json::from_str(policy.document).unwrap();
            assert!(value.is_object(), "{}", policy.name);
            assert!(policy.id.starts_with("ANPA") && policy.id.len() == 21, "{}", policy.id);
        }
        // ListPolicies pages by lower-cased name; the catalogue is held in that order.
        let names: Vec<String> = CATALOGUE.iter().map(|p| p.name.to_lowercase()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(find("IAMFullAccess").map(|p| p.version), Some(2));
        assert!(find("iamfullaccess").is_none());
    }
}
