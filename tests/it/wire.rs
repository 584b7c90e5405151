//! The HTTP surface through `app::router` with tower's `oneshot`: unauthenticated requests,
//! the body limit, health, and the test-mode endpoints (`wire-protocol.md` §2.1, §5;
//! `test-mode.md`).

use crate::harness::{T0, app, new_user};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tessera::app::MAX_BODY;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(router: &axum::Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

fn query_post(body: impl Into<Body>) -> Request<Body> {
    Request::post("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
        .body(body.into())
        .unwrap()
}

fn json_request(method: Method, uri: &str, body: Option<Value>) -> Request<Body> {
    let builder = Request::builder().method(method).uri(uri);
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.body))
}

/// The text of the one `<name>` element in `xml`.
fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    assert_eq!(xml.matches(&open).count(), 1, "one <{name}> in {xml}");
    let start = xml.find(&open).unwrap() + open.len();
    let end = start + xml[start..].find(&close).unwrap();
    &xml[start..end]
}

fn assert_error(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "text/xml");
    assert!(
        reply
            .body
            .contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">")
    );
    assert_eq!(element(&reply.body, "Code"), code);
    assert_eq!(
        element(&reply.body, "Type"),
        if status.is_client_error() { "Sender" } else { "Receiver" }
    );
    let request_id = element(&reply.body, "RequestId");
    assert_eq!(
        reply.headers["x-amzn-RequestId"], request_id,
        "header and body RequestId agree"
    );
    let parsed = uuid::Uuid::parse_str(request_id).expect("RequestId is a UUID");
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(request_id, request_id.to_lowercase());
    assert!(reply.headers.contains_key(header::DATE));
}

#[tokio::test(flavor = "multi_thread")]
async fn unsigned_request_is_missing_authentication_token() {
    let (router, _fx) = app(false).await;
    let reply = send(&router, query_post("Action=ListUsers&Version=2010-05-08")).await;
    assert_error(&reply, StatusCode::FORBIDDEN, "MissingAuthenticationToken");
    assert_eq!(
        element(&reply.body, "Message"),
        "Request is missing Authentication Token"
    );
    // RequestId is a direct child of ErrorResponse, after Error (not in ResponseMetadata).
    let error_end = reply.body.find("</Error>").unwrap();
    assert!(reply.body.find("<RequestId>").unwrap() > error_end, "{}", reply.body);
    assert!(!reply.body.contains("ResponseMetadata"));

    // Every request gets its own RequestId.
    let again = send(&router, query_post("Action=ListUsers&Version=2010-05-08")).await;
    assert_ne!(element(&again.body, "RequestId"), element(&reply.body, "RequestId"));

    // GET with the parameters in the query string is refused the same way.
    let get = Request::get("/?Action=GetCallerIdentity&Version=2011-06-15")
        .body(Body::empty())
        .unwrap();
    let reply = send(&router, get).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(element(&reply.body, "Code"), "MissingAuthenticationToken");
    assert!(
        reply
            .body
            .contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn other_methods_and_broken_signatures_are_refused() {
    let (router, _fx) = app(false).await;
    let put = Request::put("/")
        .body(Body::from("Action=ListUsers&Version=2010-05-08"))
        .unwrap();
    let reply = send(&router, put).await;
    assert_error(&reply, StatusCode::METHOD_NOT_ALLOWED, "InvalidAction");

    let broken = Request::post("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE",
        )
        .body(Body::from("Action=ListUsers&Version=2010-05-08"))
        .unwrap();
    let reply = send(&router, broken).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "IncompleteSignature");

    let reply = send(&router, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_over_one_mebibyte_are_refused() {
    let (router, _fx) = app(false).await;
    let prefix = b"Action=ListUsers&Version=2010-05-08&Pad=";
    let mut body = prefix.to_vec();
    body.resize(MAX_BODY + 1, b'a');
    let reply = send(&router, query_post(body.clone())).await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge");

    // Exactly the limit is read, and then refused for want of a signature.
    body.truncate(MAX_BODY);
    let reply = send(&router, query_post(body)).await;
    assert_error(&reply, StatusCode::FORBIDDEN, "MissingAuthenticationToken");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_ok() {
    let (router, _fx) = app(false).await;
    let reply = send(&router, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "ok\n");
}

fn clock_now(reply: &Reply) -> OffsetDateTime {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let now = json_of(reply)["now"].as_str().expect("now is a string").to_owned();
    OffsetDateTime::parse(&now, &Rfc3339).unwrap_or_else(|e| panic!("now {now}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_clock_sets_advances_and_releases() {
    let (router, _fx) = app(true).await;
    let reply = send(&router, json_request(Method::GET, "/_tessera/clock", None)).await;
    assert_eq!(json_of(&reply)["frozen"], json!(false));
    let real = tessera::clock::Clock::real_now();
    assert!((clock_now(&reply) - real).abs() < time::Duration::seconds(5));

    let set = json!({ "now": "2024-01-15T12:00:00Z" });
    let reply = send(&router, json_request(Method::POST, "/_tessera/clock", Some(set))).await;
    assert_eq!(
        json_of(&reply),
        json!({ "now": "2024-01-15T12:00:00Z", "frozen": true })
    );
    // An offset is accepted and answered in UTC.
    let set = json!({ "now": "2024-01-15T14:00:00+02:00" });
    let reply = send(&router, json_request(Method::POST, "/_tessera/clock", Some(set))).await;
    assert_eq!(clock_now(&reply), T0);
    assert_eq!(json_of(&reply)["now"], json!("2024-01-15T12:00:00Z"));

    let advance = json!({ "advance_seconds": 90 });
    let reply = send(&router, json_request(Method::POST, "/_tessera/clock", Some(advance))).await;
    assert_eq!(
        json_of(&reply),
        json!({ "now": "2024-01-15T12:01:30Z", "frozen": true })
    );
    let reply = send(&router, json_request(Method::GET, "/_tessera/clock", None)).await;
    assert_eq!(
        json_of(&reply),
        json!({ "now": "2024-01-15T12:01:30Z", "frozen": true })
    );

    // Backwards is allowed.
    let set = json!({ "now": "2020-02-29T00:00:00Z" });
    let reply = send(&router, json_request(Method::POST, "/_tessera/clock", Some(set))).await;
    assert_eq!(
        json_of(&reply),
        json!({ "now": "2020-02-29T00:00:00Z", "frozen": true })
    );

    let reply = send(
        &router,
        json_request(Method::POST, "/_tessera/clock", Some(json!({ "real": true }))),
    )
    .await;
    assert_eq!(json_of(&reply)["frozen"], json!(false));
    assert!((clock_now(&reply) - tessera::clock::Clock::real_now()).abs() < time::Duration::seconds(5));

    // Advancing a running clock freezes it at real time + N.
    let advance = json!({ "advance_seconds": 3600 });
    let reply = send(&router, json_request(Method::POST, "/_tessera/clock", Some(advance))).await;
    assert_eq!(json_of(&reply)["frozen"], json!(true));
    let ahead = clock_now(&reply) - tessera::clock::Clock::real_now();
    assert!(
        (ahead - time::Duration::hours(1)).abs() < time::Duration::seconds(5),
        "{ahead}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_clock_refuses_bad_bodies() {
    let (router, _fx) = app(true).await;
    let bad_bodies = [
        json!({ "now": "yesterday" }),
        json!({ "now": 5 }),
        json!({ "advance_seconds": -1 }),
        json!({ "advance_seconds": 1.5 }),
        json!({ "real": false }),
        json!({ "later": 1 }),
        json!({}),
        json!({ "real": true, "advance_seconds": 1 }),
        json!([1]),
    ];
    for body in bad_bodies {
        let reply = send(
            &router,
            json_request(Method::POST, "/_tessera/clock", Some(body.clone())),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        assert!(json_of(&reply)["error"].is_string(), "{body}: {}", reply.body);
    }
    let request = Request::post("/_tessera/clock").body(Body::from("not json")).unwrap();
    let reply = send(&router, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(json_of(&reply)["error"].is_string());
    // Nothing was changed by the refusals.
    let reply = send(&router, json_request(Method::GET, "/_tessera/clock", None)).await;
    assert_eq!(json_of(&reply)["frozen"], json!(false));
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_reset_empties_the_account() {
    let (router, fx) = app(true).await;
    fx.user("alice").await;
    fx.store.set_account_alias(&fx.account, "before-reset").await.unwrap();
    let reply = send(&router, json_request(Method::POST, "/_tessera/reset", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(json_of(&reply), json!({ "reset": true }));
    assert_eq!(fx.store.user_by_name(&fx.account, "alice").await.unwrap(), None);
    let account = fx.store.first_account().await.unwrap().unwrap();
    assert_eq!(account.alias, None);
    assert!(fx.store.key_credential(&fx.root_key).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_paths_are_not_found_without_test_mode() {
    let (router, fx) = app(false).await;
    fx.store.create_user(&fx.account, new_user("alice")).await.unwrap();
    let requests = [
        json_request(Method::GET, "/_tessera/clock", None),
        json_request(
            Method::POST,
            "/_tessera/clock",
            Some(json!({ "now": "2024-01-15T12:00:00Z" })),
        ),
        json_request(Method::POST, "/_tessera/reset", None),
    ];
    for request in requests {
        let uri = request.uri().clone();
        let reply = send(&router, request).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}: {}", reply.body);
    }
    assert!(
        fx.store.user_by_name(&fx.account, "alice").await.unwrap().is_some(),
        "no reset happened"
    );
}
