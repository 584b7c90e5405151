//! CloudTrail actions over the JSON 1.1 protocol (`cloudtrail.md` §8).

pub mod lookup_events;
mod next_token;
