//! Time as the database stores it: integer unix milliseconds, UTC.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// How far the clock was moved forward (only in a shop started for browser journeys: see [`allow_moving`]).
static MOVED_MS: AtomicI64 = AtomicI64::new(0);
static MOVABLE: AtomicBool = AtomicBool::new(false);

pub fn now_ms() -> i64 {
    wall_ms() + MOVED_MS.load(Ordering::Relaxed)
}

/// The machine's time, never moved: for what other libraries stamp with it (session expiries are set by
/// tower-sessions from the wall clock, so they are compared with it).
pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Lets [`move_forward`] move this process's clock (the server's `TEST_CLOCK`; never in production).
pub fn allow_moving() {
    MOVABLE.store(true, Ordering::SeqCst);
}

/// Moves the clock `ms` forward, if moving it is allowed; whether it moved. Never backward: ids and every
/// "before now" rule assume time only goes forward.
pub fn move_forward(ms: i64) -> bool {
    if !MOVABLE.load(Ordering::SeqCst) || ms <= 0 {
        return false;
    }
    MOVED_MS.fetch_add(ms, Ordering::SeqCst);
    true
}

/// Today's date in UTC, as `2026-12-02` (file names of exports).
pub fn today() -> String {
    let date = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Unix milliseconds as RFC 3339 in UTC, to the millisecond (`2026-12-04T13:25:00.123Z`): a moment written into
/// a file that a person reads and a later import parses back exactly.
pub fn rfc3339_ms(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (date, clock) = (at.date(), at.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second(),
        clock.millisecond()
    )
}

/// An RFC 3339 moment as unix milliseconds; `None` for anything else.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let at = time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_moment_reads_back_to_the_millisecond() {
        let ms = 1_796_390_700_123;
        let text = super::rfc3339_ms(ms);
        assert_eq!(text, "2026-12-04T13:25:00.123Z");
        assert_eq!(super::parse_rfc3339_ms(&text), Some(ms));
        assert_eq!(super::parse_rfc3339_ms("yesterday"), None);
    }
}
