//! Audit records of real SDK calls (`cloudtrail.md` §1–§3), read back from the store: one per
//! authenticated call, failures included, with the caller, the request and no secret.

use super::{iam, serve, sts};
use aws_sdk_iam::operation::RequestId;
use serde_json::Value;
use tessera::store::{AuditFilter, AuditQuery};
use time::OffsetDateTime;

/// Every record of the account whose `eventName` is `name`, newest first, as JSON.
async fn records(fx: &crate::harness::Fixture, name: &str) -> Vec<Value> {
    let page = fx
        .store
        .lookup_audit(AuditQuery {
            account_id: fx.account.clone(),
            filter: Some(AuditFilter::EventName(name.to_owned())),
            start: OffsetDateTime::UNIX_EPOCH,
            end: tessera::clock::Clock::real_now() + time::Duration::days(1),
            after: None,
            limit: 50,
        })
        .await
        .expect("lookup");
    page.items
        .iter()
        .map(|entry| serde_json::from_str(&entry.record).expect("record is JSON"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_are_recorded_with_caller_request_and_outcome() {
    let (endpoint, fx) = serve().await;
    let account = fx.account.as_str().to_owned();
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());

    let created = root.create_user().user_name("alice").send().await.expect("CreateUser");
    let duplicate = root
        .create_user()
        .user_name("alice")
        .send()
        .await
        .expect_err("duplicate");
    let key = root
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .expect("CreateAccessKey");
    let access_key = key.access_key.as_ref().unwrap();

    let creates = records(&fx, "CreateUser").await;
    assert_eq!(creates.len(), 2, "{creates:#?}");
    // Both may carry the same second; which came first is not the question here.
    let (failed, succeeded) = match creates[0].get("errorCode") {
        Some(_) => (&creates[0], &creates[1]),
        None => (&creates[1], &creates[0]),
    };
    assert_eq!(succeeded["requestID"], created.request_id().unwrap());
    assert_eq!(succeeded["userIdentity"]["type"], "Root");
    assert_eq!(succeeded["userIdentity"]["accessKeyId"], fx.root_key.as_str());
    assert_eq!(succeeded["requestParameters"], serde_json::json!({"userName": "alice"}));
    assert_eq!(succeeded["responseElements"]["user"]["userName"], "alice");
    assert_eq!(
        succeeded["responseElements"]["user"]["arn"],
        format!("arn:aws:iam::{account}:user/alice")
    );
    assert_eq!(succeeded["sourceIPAddress"], "127.0.0.1");
    assert!(succeeded["userAgent"].as_str().unwrap().contains("aws-sdk-rust"));
    assert!(succeeded.get("errorCode").is_none());
    assert_eq!(failed["errorCode"], "EntityAlreadyExists");
    assert_eq!(
        failed["errorMessage"],
        duplicate.as_service_error().unwrap().meta().message().unwrap()
    );
    assert_eq!(failed["responseElements"], Value::Null);

    let keys = records(&fx, "CreateAccessKey").await;
    assert_eq!(keys.len(), 1);
    assert_eq!(
        keys[0]["responseElements"]["accessKey"]["accessKeyId"],
        access_key.access_key_id()
    );
    assert!(
        keys[0]["responseElements"]["accessKey"]
            .get("secretAccessKey")
            .is_none()
    );
    let text = keys[0].to_string();
    assert!(!text.contains(access_key.secret_access_key()), "secret in {text}");

    // Alice, without any policy: the refusal is recorded under her name and key.
    let alice = iam(&endpoint, access_key.access_key_id(), access_key.secret_access_key());
    alice.list_users().send().await.expect_err("no policy allows it");
    let lists = records(&fx, "ListUsers").await;
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["errorCode"], "AccessDenied");
    assert_eq!(lists[0]["userIdentity"]["userName"], "alice");
    assert_eq!(lists[0]["userIdentity"]["accessKeyId"], access_key.access_key_id());
    assert_eq!(lists[0]["readOnly"], true);
    assert_eq!(lists[0]["requestParameters"], Value::Null);

    // STS calls are recorded with their event source; a wrong secret is not a caller at all.
    let identity = sts(&endpoint, access_key.access_key_id(), access_key.secret_access_key());
    identity.get_caller_identity().send().await.expect("GetCallerIdentity");
    let forged = sts(
        &endpoint,
        access_key.access_key_id(),
        "not-the-secret-key-0000000000000000000000",
    );
    forged.get_caller_identity().send().await.expect_err("bad signature");
    let calls = records(&fx, "GetCallerIdentity").await;
    assert_eq!(calls.len(), 1, "unauthenticated requests are not recorded");
    assert_eq!(calls[0]["eventSource"], "sts.amazonaws.com");
    assert_eq!(calls[0]["awsRegion"], "us-east-1");
}
