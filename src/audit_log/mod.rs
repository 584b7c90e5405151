//! The background work on stored audit records: delivery to CloudTrail log files
//! (`cloudtrail.md` §7) and retention in the database (§8.4). Each runs as its own task
//! beside the server, in its own transactions, so neither holds up requests.
//! May use: `store` (through its traits), `clock`, `config` (region names), `secret` (random
//! bytes), the file system. Never: axum, http, `wire`, `api`.

mod delivery;
mod layout;
mod retention;
mod writer;

pub use delivery::{Delivery, RoundReport};
pub use layout::{LayoutError, file_name, log_file_path};
pub use retention::Retention;
pub use writer::write_log_file;
