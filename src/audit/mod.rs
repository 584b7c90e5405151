//! Audit records in CloudTrail's format (`cloudtrail.md` §1–§6): the record, the
//! `userIdentity` of each kind of caller, the redaction of request and response members, and
//! one builder per kind of event. Pure: callers pass every fact in (times, IDs, addresses), so
//! the same inputs always give the same record.

mod api_call;
mod identity;
mod record;
mod redact;
mod service_event;
mod sign_in;
mod time_text;

pub use crate::mfa::import::SeedProtection;
pub use api_call::{ApiCall, Outcome, ROOT_USER_NAME, api_call, records_output};
pub use identity::{CallerSession, SessionAttributes, SessionContext, SessionIssuer, SignInPrincipal, UserIdentity};
pub use record::{AuditRecord, EventSource, EventType, RequestContext, TlsDetails};
pub use redact::Member;
pub use service_event::{TokenImport, hardware_token_import};
pub use sign_in::{ConsoleLoginOutcome, check_mfa, console_login};
