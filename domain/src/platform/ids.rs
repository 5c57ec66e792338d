//! Application-made ids: both databases accept them without a sequence or identity column, so one INSERT serves
//! both. 41 bits of milliseconds since 2024-01-01 and 12 bits of sequence: time-ordered, and always below 2^53 so
//! JavaScript reads them exactly. The sequence starts at a random value per process, so two instances creating
//! rows in the same millisecond are unlikely to collide; a collision is a primary-key error, never a silent merge.

use std::sync::Mutex;

const EPOCH_MS: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const SEQ_BITS: u32 = 12;
const SEQ_MASK: i64 = (1 << SEQ_BITS) - 1;

static STATE: Mutex<(i64, i64)> = Mutex::new((0, -1));

/// 128 random bits as 32 hex digits: idempotency keys of forms, the secret of a guest's order link.
pub fn random_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The moment (unix ms) an id was made: its upper bits (for a moment tied to a record that must not move between
/// retries, such as the expiry a payment provider is sent with an idempotency key).
pub fn created_ms(id: i64) -> i64 {
    (id >> SEQ_BITS) + EPOCH_MS
}

/// A new id, strictly greater than every id this process made before.
pub fn next_id() -> i64 {
    let now = crate::platform::clock::now_ms() - EPOCH_MS;
    let mut state = STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let (last_ms, last_seq) = *state;
    let (ms, seq) = if last_seq < 0 {
        (now, rand::random::<i64>() & (SEQ_MASK >> 1))
    } else if now > last_ms {
        (now, last_seq & (SEQ_MASK >> 1))
    } else if last_seq < SEQ_MASK {
        (last_ms, last_seq + 1)
    } else {
        // 4096 ids in one millisecond: borrow the next millisecond rather than repeat.
        (last_ms + 1, 0)
    };
    *state = (ms, seq);
    (ms << SEQ_BITS) | seq
}

/// Ids we read ourselves as a SQL list (`1,2,3`): integers, so formatting them into a statement cannot inject
/// anything, and a list of any length needs no bind parameters.
pub fn sql_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_tells_when_it_was_made() {
        let before = crate::platform::clock::now_ms();
        let made = created_ms(next_id());
        assert!(
            (before - 5..=crate::platform::clock::now_ms() + 5).contains(&made),
            "{made} vs {before}"
        );
    }

    #[test]
    fn ids_increase_and_stay_below_two_to_the_53() {
        let mut last = 0;
        for _ in 0..20_000 {
            let id = next_id();
            assert!(id > last, "{id} after {last}");
            assert!(id < (1_i64 << 53));
            last = id;
        }
    }
}
