//! The HTTP surface: the AWS APIs at `/` (Query for IAM and STS; JSON 1.1 for CloudTrail,
//! chosen by `X-Amz-Target`), `GET /health`, and in test mode `/_tessera/*`.
//! Bodies are read raw (SigV4 hashes the exact bytes); a panic still answers XML.

use crate::api::{self, ApiState};
use crate::sigv4::HttpRequest;
use crate::wire::{ApiError, ErrorCode, Service, json, xml};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Largest request body accepted (`wire-protocol.md` §2.1).
pub const MAX_BODY: usize = 1024 * 1024;

pub struct AppState {
    pub api: ApiState,
    pub danger_test_mode: bool,
}

pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new().route("/", any(aws_api)).route("/health", get(health));
    if state.danger_test_mode {
        router = router
            .route("/_tessera/reset", post(reset))
            .route("/_tessera/clock", get(clock).post(set_clock));
    }
    router
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not Found\n") })
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_answer))
        .with_state(state)
}

/// RFC 7231 date for the `Date` header (botocore estimates clock skew from it).
fn http_date(at: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = DAYS
        .get(usize::from(at.weekday().number_days_from_monday()))
        .copied()
        .unwrap_or("Mon");
    let month = MONTHS
        .get(usize::from(u8::from(at.month())).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        at.day(),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The protocol a request speaks, and so the envelope its answer comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    /// IAM and STS: form parameters in, XML out.
    Query,
    /// CloudTrail: requests naming an `X-Amz-Target` (`wire-protocol.md` §1).
    Json,
}

impl Protocol {
    fn of(headers: &axum::http::HeaderMap) -> Self {
        if headers.contains_key(json::TARGET_HEADER) {
            Self::Json
        } else {
            Self::Query
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Query => "text/xml",
            Self::Json => json::CONTENT_TYPE,
        }
    }

    fn error_response(self, error: ApiError) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let (status, body) = match self {
            Self::Query => (error.code.status(), xml::error(Service::Iam, &error, &request_id)),
            Self::Json => (json::error_status(error.code), json::error_body(&error)),
        };
        api_response(self, status, body, &request_id)
    }
}

fn api_response(protocol: Protocol, status: u16, body: String, request_id: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(protocol.content_type()));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", id);
    }
    if let Ok(date) = HeaderValue::from_str(&http_date(crate::clock::Clock::real_now())) {
        headers.insert(header::DATE, date);
    }
    response
}

async fn aws_api(State(state): State<Arc<AppState>>, request: Request) -> Response {
    // Present when served over TCP; routers driven in-process have no peer.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded_for = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok());
    let client_ip = client_address(peer, forwarded_for, &state.api.trusted_proxies);
    let (parts, body) = request.into_parts();
    let protocol = Protocol::of(&parts.headers);
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return protocol.error_response(ApiError::new(
                ErrorCode::RequestEntityTooLarge,
                "Request body is larger than 1 MiB.",
            ));
        }
    };
    // Header values that are not visible ASCII cannot have been signed by an SDK; they are
    // kept as lossy text so they simply fail signature checks.
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = HttpRequest {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let answer = match protocol {
        Protocol::Query => api::handle(&state.api, request, client_ip).await,
        Protocol::Json => api::handle_json(&state.api, request, client_ip).await,
    };
    api_response(protocol, answer.status, answer.body, &answer.request_id)
}

/// The client as audit records name it (`cloudtrail.md` §2.1): the TCP peer, unless the peer
/// is a trusted proxy; then the right-most `X-Forwarded-For` entry that is not one, since every
/// entry left of a proxy we do not trust may be forged.
fn client_address(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let (Some(peer), Some(forwarded_for)) = (peer, forwarded_for) else {
        return peer;
    };
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for entry in forwarded_for.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(address) if trusted.contains(&address) => client = address,
            Ok(address) => return Some(address),
            // An entry that is no address ends what can be believed.
            Err(_) => break,
        }
    }
    Some(client)
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    match state.api.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::warn!(error = %error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable\n").into_response()
        }
    }
}

fn panic_answer(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    Protocol::Query.error_response(ApiError::new(
        ErrorCode::ServiceFailure,
        "An internal error occurred. Please try again later.",
    ))
}

// ---- test mode (`spec/test-mode.md`) ----

async fn reset(State(state): State<Arc<AppState>>) -> Response {
    match state.api.store.reset_to_initial().await {
        Ok(()) => Json(serde_json::json!({ "reset": true })).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "reset failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "error": "reset failed" })),
            )
                .into_response()
        }
    }
}

fn clock_state(state: &AppState) -> Response {
    let clock = &state.api.clock;
    let now = clock.now().replace_nanosecond(0).unwrap_or_else(|_| clock.now());
    let text = now.format(&Rfc3339).unwrap_or_default();
    Json(serde_json::json!({ "now": text, "frozen": clock.is_frozen() })).into_response()
}

async fn clock(State(state): State<Arc<AppState>>) -> Response {
    clock_state(&state)
}

async fn set_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let bad = |message: &str| (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": message }))).into_response();
    let Ok(serde_json::Value::Object(request)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return bad("body must be a JSON object with one of: now, advance_seconds, real");
    };
    if request.len() != 1 {
        return bad("give exactly one of: now, advance_seconds, real");
    }
    let clock = &state.api.clock;
    if let Some(now) = request.get("now") {
        let Some(parsed) = now.as_str().and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok()) else {
            return bad("now: expected an RFC 3339 time such as 2024-01-15T12:00:00Z");
        };
        clock.freeze_at(parsed.to_offset(time::UtcOffset::UTC));
    } else if let Some(advance) = request.get("advance_seconds") {
        let Some(seconds) = advance.as_u64().and_then(|s| u32::try_from(s).ok()) else {
            return bad("advance_seconds: expected a non-negative integer");
        };
        clock.advance(seconds);
    } else if let Some(real) = request.get("real") {
        if real.as_bool() != Some(true) {
            return bad("real: expected true");
        }
        clock.release();
    } else {
        return bad("unknown field: give one of now, advance_seconds, real");
    }
    clock_state(&state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_follow_rfc_7231() {
        assert_eq!(
            http_date(time::macros::datetime!(2024-01-15 12:00:00 UTC)),
            "Mon, 15 Jan 2024 12:00:00 GMT"
        );
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let proxies = [ip("10.0.0.2"), ip("10.0.0.3")];
        let client = |peer: &str, header: Option<&str>| client_address(Some(ip(peer)), header, &proxies);
        assert_eq!(client("192.0.2.7", None), Some(ip("192.0.2.7")));
        // An untrusted peer may write anything in the header.
        assert_eq!(client("192.0.2.7", Some("198.51.100.1")), Some(ip("192.0.2.7")));
        assert_eq!(client("10.0.0.2", Some("198.51.100.1")), Some(ip("198.51.100.1")));
        // Left of the first address no trusted proxy added, everything may be forged.
        assert_eq!(
            client("10.0.0.2", Some("203.0.113.9, 198.51.100.1, 10.0.0.3")),
            Some(ip("198.51.100.1"))
        );
        assert_eq!(client("10.0.0.2", Some("10.0.0.3")), Some(ip("10.0.0.3")));
        assert_eq!(client("10.0.0.2", Some("garbage, 10.0.0.3")), Some(ip("10.0.0.3")));
        assert_eq!(client("10.0.0.2", Some("2001:db8::1")), Some(ip("2001:db8::1")));
        assert_eq!(client_address(None, Some("198.51.100.1"), &proxies), None);
    }
}
