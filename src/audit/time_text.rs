//! The two ways a CloudTrail record writes a time (`cloudtrail.md` §2.1, §2.4).

use serde::Serializer;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `eventTime` and `creationDate`: `2026-11-22T10:15:42Z`, whole seconds, UTC.
const RECORD_TIME: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Times inside `responseElements`: `Nov 22, 2026 8:01:05 AM`, UTC.
const ELEMENT_TIME: &[FormatItem<'static>] = format_description!(
    "[month repr:short] [day padding:none], [year] [hour repr:12 padding:none]:[minute]:[second] [period]"
);

fn format(time: OffsetDateTime, description: &[FormatItem<'static>]) -> String {
    // Both descriptions only name components every date has, so formatting cannot fail.
    time.to_offset(UtcOffset::UTC).format(description).unwrap_or_default()
}

pub(super) fn record_time(time: OffsetDateTime) -> String {
    format(time, RECORD_TIME)
}

pub(super) fn element_time(time: OffsetDateTime) -> String {
    format(time, ELEMENT_TIME)
}

pub(super) fn serialize_record_time<S: Serializer>(time: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&record_time(*time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn record_times_are_utc_whole_seconds() {
        assert_eq!(
            record_time(datetime!(2026-11-22 11:15:42.9 +01:00)),
            "2026-11-22T10:15:42Z"
        );
    }

    #[test]
    fn element_times_use_the_twelve_hour_text_form() {
        assert_eq!(
            element_time(datetime!(2026-11-22 08:01:05 UTC)),
            "Nov 22, 2026 8:01:05 AM"
        );
        assert_eq!(
            element_time(datetime!(2014-03-24 21:11:59 UTC)),
            "Mar 24, 2014 9:11:59 PM"
        );
        assert_eq!(
            element_time(datetime!(2026-01-02 00:00:00 UTC)),
            "Jan 2, 2026 12:00:00 AM"
        );
        assert_eq!(
            element_time(datetime!(2026-01-02 12:30:00 UTC)),
            "Jan 2, 2026 12:30:00 PM"
        );
    }
}
