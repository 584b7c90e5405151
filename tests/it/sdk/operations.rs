//! The rest of the IAM surface through the SDK: rename, tags, login profiles, key status and
//! last use, aliases, the account summary and the credential report.

use super::{iam, serve, sts};
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{ReportStateType, StatusType, SummaryKeyType, Tag};

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_renames_users_and_manages_their_tags() {
    let (endpoint, fx) = serve().await;
    let account = fx.account.as_str().to_owned();
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());
    root.create_user()
        .user_name("Alice")
        .tags(tag("Dept", "Ops"))
        .send()
        .await
        .unwrap();
    let key = root
        .create_access_key()
        .user_name("Alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();

    // Tags merge case-insensitively; ListUserTags shows the result.
    root.tag_user()
        .user_name("alice")
        .tags(tag("DEPT", "Eng"))
        .tags(tag("Team", "core"))
        .send()
        .await
        .expect("TagUser");
    let tags = root
        .list_user_tags()
        .user_name("Alice")
        .send()
        .await
        .expect("ListUserTags");
    let pairs: Vec<(&str, &str)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, vec![("DEPT", "Eng"), ("Team", "core")]);
    assert!(!tags.is_truncated());
    root.untag_user()
        .user_name("Alice")
        .tag_keys("dept")
        .send()
        .await
        .expect("UntagUser");
    let tags = root.list_user_tags().user_name("Alice").send().await.unwrap();
    assert_eq!(tags.tags().len(), 1);
    let duplicate = root
        .tag_user()
        .user_name("Alice")
        .tags(tag("k", "1"))
        .tags(tag("K", "2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some("InvalidInput"), "{duplicate:?}");

    // Rename and move: the key follows, and signs as the renamed user.
    root.update_user()
        .user_name("alice")
        .new_user_name("Alicia")
        .new_path("/moved/")
        .send()
        .await
        .expect("UpdateUser");
    let identity = sts(&endpoint, key.access_key_id(), key.secret_access_key())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:iam::{account}:user/moved/Alicia").as_str())
    );
    root.create_user().user_name("bob").send().await.unwrap();
    let taken = root
        .update_user()
        .user_name("Alicia")
        .new_user_name("BOB")
        .send()
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("EntityAlreadyExists"), "{taken:?}");
    assert_eq!(taken.message(), Some("User with name BOB already exists."));
    let missing = root
        .update_user()
        .user_name("alice")
        .new_user_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_manages_login_profiles_and_key_status() {
    let (endpoint, fx) = serve().await;
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());
    root.create_user().user_name("Alice").send().await.unwrap();

    // Login profile: created, read, refused twice, checked against the password policy.
    let profile = root
        .create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-42")
        .password_reset_required(true)
        .send()
        .await
        .expect("CreateLoginProfile")
        .login_profile
        .unwrap();
    assert_eq!(profile.user_name(), "Alice");
    assert!(profile.password_reset_required());
    let got = root
        .get_login_profile()
        .user_name("Alice")
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert_eq!(got.create_date(), profile.create_date());
    let again = root
        .create_login_profile()
        .user_name("Alice")
        .password("Correct-Horse-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("EntityAlreadyExists"), "{again:?}");
    let weak = root
        .update_login_profile()
        .user_name("Alice")
        .password("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(weak.code(), Some("PasswordPolicyViolation"), "{weak:?}");
    root.update_login_profile()
        .user_name("Alice")
        .password_reset_required(false)
        .send()
        .await
        .expect("UpdateLoginProfile");
    let got = root
        .get_login_profile()
        .user_name("Alice")
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert!(!got.password_reset_required());
    let conflict = root.delete_user().user_name("Alice").send().await.unwrap_err();
    assert_eq!(
        conflict.message(),
        Some("Cannot delete entity, must delete login profile first.")
    );
    root.delete_login_profile()
        .user_name("Alice")
        .send()
        .await
        .expect("DeleteLoginProfile");
    let gone = root.get_login_profile().user_name("Alice").send().await.unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchEntity"), "{gone:?}");

    // Keys: limited to two, listed, disabled and re-enabled.
    let first = root
        .create_access_key()
        .user_name("Alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    assert_eq!(first.user_name(), "Alice");
    let second = root
        .create_access_key()
        .user_name("Alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    let limit = root.create_access_key().user_name("Alice").send().await.unwrap_err();
    assert_eq!(limit.code(), Some("LimitExceeded"), "{limit:?}");
    assert_eq!(limit.message(), Some("Cannot exceed quota for AccessKeysPerUser: 2"));
    let listed = root
        .list_access_keys()
        .user_name("Alice")
        .send()
        .await
        .expect("ListAccessKeys");
    let ids: Vec<&str> = listed
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&first.access_key_id()) && ids.contains(&second.access_key_id()));
    for key in listed.access_key_metadata() {
        assert_eq!(key.user_name(), Some("Alice"));
        assert_eq!(key.status(), Some(&StatusType::Active));
    }

    let as_alice = sts(&endpoint, first.access_key_id(), first.secret_access_key());
    as_alice
        .get_caller_identity()
        .send()
        .await
        .expect("an active key signs");
    let unused = root
        .get_access_key_last_used()
        .access_key_id(second.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(unused.user_name(), Some("Alice"));
    let never = unused.access_key_last_used().unwrap();
    assert_eq!((never.service_name(), never.region()), ("N/A", "N/A"));
    assert!(never.last_used_date().is_none());
    let used = root
        .get_access_key_last_used()
        .access_key_id(first.access_key_id())
        .send()
        .await
        .unwrap();
    let used = used.access_key_last_used().unwrap();
    assert_eq!((used.service_name(), used.region()), ("sts", "eu-west-1"));
    assert!(used.last_used_date().is_some());

    root.update_access_key()
        .user_name("Alice")
        .access_key_id(first.access_key_id())
        .status(StatusType::Inactive)
        .send()
        .await
        .expect("UpdateAccessKey");
    let refused = as_alice.get_caller_identity().send().await.unwrap_err();
    assert_eq!(refused.code(), Some("InvalidClientTokenId"), "{refused:?}");
    root.update_access_key()
        .user_name("Alice")
        .access_key_id(first.access_key_id())
        .status(StatusType::Active)
        .send()
        .await
        .unwrap();
    as_alice
        .get_caller_identity()
        .send()
        .await
        .expect("a re-enabled key signs");
    let expired = root
        .update_access_key()
        .user_name("Alice")
        .access_key_id(first.access_key_id())
        .status(StatusType::Expired)
        .send()
        .await
        .unwrap_err();
    assert_eq!(expired.code(), Some("InvalidInput"), "{expired:?}");
}

/// Names keep their case and lookups ignore it (`iam-mfa.md` §0.5): a response describes the
/// user as stored, whatever spelling the request used — as CreateLoginProfile already does.
#[tokio::test(flavor = "multi_thread")]
async fn sdk_key_responses_carry_the_stored_user_name() {
    let (endpoint, fx) = serve().await;
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());
    root.create_user().user_name("Alice").send().await.unwrap();
    let profile = root
        .create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-42")
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert_eq!(profile.user_name(), "Alice");
    let key = root
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    let listed = root.list_access_keys().user_name("ALICE").send().await.unwrap();
    let listed_names: Vec<Option<&str>> = listed.access_key_metadata().iter().map(|k| k.user_name()).collect();
    assert_eq!(
        (key.user_name(), listed_names),
        ("Alice", vec![Some("Alice")]),
        "CreateAccessKey / ListAccessKeys UserName"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_reads_aliases_summary_and_credential_report() {
    let (endpoint, fx) = serve().await;
    let account = fx.account.as_str().to_owned();
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());

    let aliases = root.list_account_aliases().send().await.expect("ListAccountAliases");
    assert!(aliases.account_aliases().is_empty() && !aliases.is_truncated());
    root.create_account_alias()
        .account_alias("my-corp")
        .send()
        .await
        .expect("CreateAccountAlias");
    let taken = root
        .create_account_alias()
        .account_alias("my-corp")
        .send()
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("EntityAlreadyExists"), "{taken:?}");
    root.create_account_alias()
        .account_alias("my-corp-2")
        .send()
        .await
        .unwrap();
    let aliases = root.list_account_aliases().send().await.unwrap();
    assert_eq!(aliases.account_aliases(), ["my-corp-2"]);
    let wrong = root
        .delete_account_alias()
        .account_alias("my-corp")
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some("NoSuchEntity"), "{wrong:?}");
    let digits = root
        .create_account_alias()
        .account_alias("123456789012")
        .send()
        .await
        .unwrap_err();
    assert_eq!(digits.code(), Some("ValidationError"), "{digits:?}");
    let dashes = root
        .create_account_alias()
        .account_alias("a--b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(dashes.code(), Some("ValidationError"), "{dashes:?}");
    root.delete_account_alias()
        .account_alias("my-corp-2")
        .send()
        .await
        .expect("DeleteAccountAlias");

    for name in ["zed", "Amy"] {
        root.create_user().user_name(name).send().await.unwrap();
    }
    root.create_access_key().user_name("zed").send().await.unwrap();
    let summary = root.get_account_summary().send().await.expect("GetAccountSummary");
    let map = summary.summary_map().unwrap();
    assert_eq!(map.len(), 34);
    assert_eq!(map.get(&SummaryKeyType::Users), Some(&2));
    assert_eq!(map.get(&SummaryKeyType::UsersQuota), Some(&5000));
    assert_eq!(map.get(&SummaryKeyType::AccountAccessKeysPresent), Some(&1));
    assert_eq!(map.get(&SummaryKeyType::AccountPasswordPresent), Some(&1));
    assert_eq!(map.get(&SummaryKeyType::AccessKeysPerUserQuota), Some(&2));

    let missing = root.get_credential_report().send().await.unwrap_err();
    assert_eq!(missing.code(), Some("ReportNotPresent"), "{missing:?}");
    assert_eq!(missing.raw_response().map(|r| r.status().as_u16()), Some(410));
    let started = root
        .generate_credential_report()
        .send()
        .await
        .expect("GenerateCredentialReport");
    assert_eq!(started.state(), Some(&ReportStateType::Started));
    let again = root.generate_credential_report().send().await.unwrap();
    assert_eq!(again.state(), Some(&ReportStateType::Complete));
    let report = root.get_credential_report().send().await.expect("GetCredentialReport");
    assert_eq!(report.report_format().map(|f| f.as_str()), Some("text/csv"));
    assert!(report.generated_time().is_some());
    let csv = String::from_utf8(report.content().unwrap().as_ref().to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(csv.ends_with('\n'));
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("user,arn,user_creation_time,password_enabled,"));
    assert_eq!(lines[0].split(',').count(), 22);
    assert!(lines[1].starts_with(&format!("<root_account>,arn:aws:iam::{account}:root,")));
    assert!(lines[2].starts_with(&format!("Amy,arn:aws:iam::{account}:user/Amy,")));
    let zed: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(zed.len(), 22);
    assert_eq!(&zed[..2], ["zed", format!("arn:aws:iam::{account}:user/zed").as_str()]);
    assert_eq!((zed[3], zed[4], zed[7], zed[8]), ("false", "N/A", "false", "true"));
}
