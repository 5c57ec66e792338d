//! Time zones by IANA name, for the days of a store's sales dashboard. The tz database is bundled into the binary
//! (jiff's `tzdb-bundle-always`): a machine or container without `/usr/share/zoneinfo` answers the same.

use std::sync::OnceLock;

use jiff::tz::{self, TimeZone};
use jiff::Timestamp;

pub const UTC: &str = "UTC";
const DAY_MS: i64 = 86_400_000;

/// The zones a store can choose, sorted: the regional names (`Europe/Berlin`) and `UTC`, not the database's
/// aliases of old (`US/Eastern`, `Etc/GMT+5` — whose sign reads backwards — `posixrules`).
pub fn names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        const REGIONS: &[&str] = &[
            "Africa/",
            "America/",
            "Antarctica/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut names: Vec<String> = tz::db()
            .available()
            .map(|name| name.as_str().to_string())
            .filter(|name| REGIONS.iter().any(|region| name.starts_with(region)))
            .collect();
        names.push(UTC.to_string());
        names.sort();
        names.dedup();
        names
    })
}

/// `name` as one of [`names`] in its own spelling (any letter case in, `Europe/Berlin` out); `None` for anything
/// else.
pub fn known(name: &str) -> Option<&'static str> {
    let name = name.trim();
    names()
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .map(String::as_str)
}

/// The day number (days since 1970-01-01) of the date it is in `zone` at unix milliseconds `ms`. A zone the
/// database does not know counts as UTC (a store's zone is checked when it is set; this only reads it).
pub fn day_in(zone: &str, ms: i64) -> i64 {
    (ms + offset_ms(zone, ms)).div_euclid(DAY_MS)
}

/// The date it is in `zone` at `ms`, as `2026-12-05`.
pub fn date_in(zone: &str, ms: i64) -> String {
    model::format_date(day_in(zone, ms) * DAY_MS)
}

/// The moment (unix milliseconds) day number `day` begins in `zone`: its local midnight, or the first moment after
/// it where a clock change skips midnight.
pub fn day_starts(zone: &str, day: i64) -> i64 {
    let midnight_utc = day * DAY_MS;
    let (Ok(tz), Ok(at)) = (tz::db().get(zone), Timestamp::from_millisecond(midnight_utc)) else {
        return midnight_utc;
    };
    at.to_zoned(TimeZone::UTC)
        .date()
        .to_zoned(tz)
        .map_or(midnight_utc, |start| start.timestamp().as_millisecond())
}

/// How far `zone`'s clocks are ahead of UTC at `ms`, in milliseconds.
fn offset_ms(zone: &str, ms: i64) -> i64 {
    if zone == UTC {
        return 0;
    }
    let Ok(at) = Timestamp::from_millisecond(ms) else {
        return 0;
    };
    tz::db()
        .get(zone)
        .map_or(0, |tz: TimeZone| i64::from(tz.to_offset(at).seconds()) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-04T23:30:00Z.
    const LATE_EVENING_UTC: i64 = 1_796_427_000_000;

    #[test]
    fn a_moment_falls_on_the_zones_own_date() {
        let utc_day = day_in(UTC, LATE_EVENING_UTC);
        // Berlin is already on the next day (UTC+1 in December); New York still on the same one (UTC−5).
        assert_eq!(day_in("Europe/Berlin", LATE_EVENING_UTC), utc_day + 1);
        assert_eq!(day_in("America/New_York", LATE_EVENING_UTC), utc_day);
        // Offsets that are not whole hours count to the minute: at 18:20 UTC it is 00:05 the next day in
        // Kathmandu (+5:45) and still 23:50 in Kolkata (+5:30).
        let evening = LATE_EVENING_UTC - (5 * 60 + 10) * 60_000;
        assert_eq!(day_in("Asia/Kathmandu", evening), utc_day + 1);
        assert_eq!(day_in("Asia/Kolkata", evening), utc_day);
        assert_eq!(day_in("Nowhere/Atlantis", LATE_EVENING_UTC), utc_day);
    }

    #[test]
    fn summer_time_moves_the_boundary() {
        // 2026-07-01T22:30:00Z is 00:30 on 2 July in Berlin (UTC+2 in summer) and 23:30 on 1 July in London
        // (UTC+1 in summer).
        let summer = 1_782_945_000_000;
        assert_eq!(day_in("Europe/Berlin", summer), day_in(UTC, summer) + 1);
        assert_eq!(day_in("Europe/London", summer), day_in(UTC, summer));
    }

    #[test]
    fn a_day_begins_at_the_zones_midnight() {
        let day = day_in(UTC, LATE_EVENING_UTC);
        assert_eq!(day_starts(UTC, day), day * DAY_MS);
        // Midnight in Berlin (UTC+1) is 23:00 UTC the evening before; in New York (UTC−5) 05:00 UTC.
        assert_eq!(day_starts("Europe/Berlin", day), day * DAY_MS - 3_600_000);
        assert_eq!(day_starts("America/New_York", day), day * DAY_MS + 5 * 3_600_000);
        assert_eq!(date_in("Europe/Berlin", LATE_EVENING_UTC), "2026-12-05");
        assert_eq!(date_in(UTC, LATE_EVENING_UTC), "2026-12-04");
        // Each day's start falls on that day in its zone, and the moment before it on the day before.
        for zone in ["Europe/Berlin", "America/Santiago", "Asia/Kathmandu", "Pacific/Apia"] {
            for day in day - 400..day {
                let start = day_starts(zone, day);
                assert_eq!(day_in(zone, start), day, "{zone} {day}");
                assert_eq!(day_in(zone, start - 1), day - 1, "{zone} {day}");
            }
        }
    }

    #[test]
    fn only_known_names_are_taken() {
        assert_eq!(known(" europe/berlin "), Some("Europe/Berlin"));
        assert_eq!(known("utc"), Some("UTC"));
        for junk in [
            "",
            "Europe",
            "../etc/passwd",
            "US/Eastern",
            "Etc/GMT+5",
            "Europe/Berlin\0",
        ] {
            assert_eq!(known(junk), None, "{junk:?}");
        }
        assert!(names().len() > 300, "{}", names().len());
    }
}
