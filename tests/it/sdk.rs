//! The real Rust AWS SDK against an in-process Tessera on `127.0.0.1:0`: requests signed by
//! the SDK, responses parsed by the SDK (`wire-protocol.md`, `iam-mfa.md` §5).

mod audit_records;
mod operations;

use crate::harness::{Fixture, app};
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{StatusType, Tag};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use tessera::domain::{AccessKeyId, KeyKind, generate_secret_access_key};

/// Serves the app as `tessera serve` would, until the test's runtime ends.
async fn serve() -> (String, Fixture) {
    let (router, fx) = app(true).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    (format!("http://{address}"), fx)
}

/// The explicit rustls/ring client (STACK.md trap 8); it speaks plain HTTP to the local server.
fn http_client() -> aws_sdk_iam::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

fn credentials(key_id: &str, secret: &str) -> aws_sdk_iam::config::Credentials {
    aws_sdk_iam::config::Credentials::new(key_id, secret, None, None, "tessera-it")
}

fn iam(endpoint: &str, key_id: &str, secret: &str) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .endpoint_url(endpoint)
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(credentials(key_id, secret))
        .http_client(http_client())
        .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

fn sts(endpoint: &str, key_id: &str, secret: &str) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .endpoint_url(endpoint)
        // SDKs sign with whatever region they are configured with (`wire-protocol.md` §1).
        .region(aws_sdk_sts::config::Region::new("eu-west-1"))
        .credentials_provider(credentials(key_id, secret))
        .http_client(http_client())
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_manages_users_and_signs_with_their_keys() {
    let (endpoint, fx) = serve().await;
    let account = fx.account.as_str().to_owned();
    let root = iam(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());

    // CreateUser with tags.
    let created = root
        .create_user()
        .user_name("Alice")
        .path("/sdk/")
        .tags(Tag::builder().key("Dept").value("Ops").build().unwrap())
        .tags(Tag::builder().key("Empty").value("").build().unwrap())
        .send()
        .await
        .expect("CreateUser")
        .user
        .expect("User in the response");
    assert_eq!(created.user_name(), "Alice");
    assert_eq!(created.path(), "/sdk/");
    assert_eq!(created.arn(), format!("arn:aws:iam::{account}:user/sdk/Alice"));
    assert!(created.user_id().starts_with("AIDA") && created.user_id().len() == 21);
    let tags: Vec<(&str, &str)> = created.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, vec![("Dept", "Ops"), ("Empty", "")]);

    // GetUser, by a name in another case.
    let got = root
        .get_user()
        .user_name("alice")
        .send()
        .await
        .expect("GetUser")
        .user
        .unwrap();
    assert_eq!(got.user_id(), created.user_id());
    assert_eq!(got.user_name(), "Alice");
    assert_eq!(got.create_date(), created.create_date());
    assert_eq!(got.tags().len(), 2);
    // Without UserName root gets itself, in root's form.
    let me = root.get_user().send().await.expect("GetUser for root").user.unwrap();
    assert_eq!(me.arn(), format!("arn:aws:iam::{account}:root"));
    assert_eq!(me.user_id(), account);

    // ListUsers through the SDK's paginator: 5 users in pages of 2.
    for name in ["erin", "Bob", "dave", "carol"] {
        root.create_user().user_name(name).send().await.expect("CreateUser");
    }
    let pages = root
        .list_users()
        .max_items(2)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListUsers pages");
    let names: Vec<Vec<&str>> = pages
        .iter()
        .map(|page| page.users().iter().map(|u| u.user_name()).collect())
        .collect();
    assert_eq!(names, vec![vec!["Alice", "Bob"], vec!["carol", "dave"], vec!["erin"]]);
    let truncated: Vec<bool> = pages.iter().map(|p| p.is_truncated()).collect();
    assert_eq!(truncated, vec![true, true, false]);
    assert!(pages[0].marker().is_some() && pages[2].marker().is_none());
    // ListUsers members carry no tags.
    assert!(pages[0].users()[0].tags().is_empty());
    let items = root
        .list_users()
        .into_paginator()
        .page_size(2)
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListUsers items");
    assert_eq!(items.len(), 5);

    // CreateAccessKey for Alice, then STS GetCallerIdentity signed with the new key.
    let key = root
        .create_access_key()
        .user_name("Alice")
        .send()
        .await
        .expect("CreateAccessKey")
        .access_key
        .unwrap();
    assert_eq!(key.user_name(), "Alice");
    assert_eq!(key.status(), &StatusType::Active);
    assert!(AccessKeyId::parse(key.access_key_id()).is_some_and(|(_, kind)| kind == KeyKind::LongTerm));
    assert_eq!(key.secret_access_key().len(), 40);
    let as_alice = sts(&endpoint, key.access_key_id(), key.secret_access_key());
    let identity = as_alice.get_caller_identity().send().await.expect("GetCallerIdentity");
    assert_eq!(identity.arn(), Some(created.arn()));
    assert_eq!(identity.account(), Some(account.as_str()));
    assert_eq!(identity.user_id(), Some(created.user_id()));
    // IAM signed with it: nothing is allowed until a policy says so.
    let alice_iam = iam(&endpoint, key.access_key_id(), key.secret_access_key());
    let denied = alice_iam.get_user().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"), "{denied:?}");
    assert_eq!(denied.raw_response().map(|r| r.status().as_u16()), Some(403));
    root.put_user_policy()
        .user_name("Alice")
        .policy_name("read-self")
        .policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/sdk/${aws:username}"}]}"#,
        )
        .send()
        .await
        .expect("PutUserPolicy");
    // Alice reads herself without naming herself.
    let herself = alice_iam
        .get_user()
        .send()
        .await
        .expect("GetUser as Alice")
        .user
        .unwrap();
    assert_eq!(herself.arn(), created.arn());

    root.delete_user_policy()
        .user_name("Alice")
        .policy_name("read-self")
        .send()
        .await
        .expect("DeleteUserPolicy");
    // DeleteUser while a key exists → DeleteConflict.
    let conflict = root.delete_user().user_name("Alice").send().await.unwrap_err();
    assert_eq!(conflict.code(), Some("DeleteConflict"), "{conflict:?}");
    assert_eq!(
        conflict.message(),
        Some("Cannot delete entity, must delete access keys first.")
    );
    assert!(
        conflict
            .as_service_error()
            .is_some_and(|e| e.is_delete_conflict_exception())
    );
    assert_eq!(conflict.raw_response().map(|r| r.status().as_u16()), Some(409));

    // Once the key is gone the user can be deleted, and the key no longer signs.
    root.delete_access_key()
        .user_name("Alice")
        .access_key_id(key.access_key_id())
        .send()
        .await
        .expect("DeleteAccessKey");
    root.delete_user().user_name("Alice").send().await.expect("DeleteUser");
    let missing = root.get_user().user_name("Alice").send().await.unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));
    assert!(
        missing
            .as_service_error()
            .is_some_and(|e| e.is_no_such_entity_exception())
    );
    let deleted = as_alice.get_caller_identity().send().await.unwrap_err();
    assert_eq!(deleted.code(), Some("InvalidClientTokenId"), "{deleted:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_sees_unknown_keys_and_bad_secrets_refused() {
    let (endpoint, fx) = serve().await;

    let unknown_id = AccessKeyId::generate(KeyKind::LongTerm).unwrap();
    let unknown_secret = generate_secret_access_key().unwrap();
    let stranger = sts(&endpoint, unknown_id.as_str(), unknown_secret.expose());
    let error = stranger.get_caller_identity().send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidClientTokenId"), "{error:?}");
    assert_eq!(
        error.message(),
        Some("The security token included in the request is invalid.")
    );
    assert_eq!(error.raw_response().map(|r| r.status().as_u16()), Some(403));
    let error = iam(&endpoint, unknown_id.as_str(), unknown_secret.expose())
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidClientTokenId"), "{error:?}");

    // root's key with a wrong secret: the signature does not match.
    let wrong = sts(&endpoint, fx.root_key.as_str(), unknown_secret.expose());
    let error = wrong.get_caller_identity().send().await.unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"), "{error:?}");

    // root's real key works and names root.
    let root = sts(&endpoint, fx.root_key.as_str(), fx.root_secret.expose());
    let identity = root
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity as root");
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:iam::{}:root", fx.account.as_str()).as_str())
    );
    assert_eq!(identity.account(), Some(fx.account.as_str()));
}
