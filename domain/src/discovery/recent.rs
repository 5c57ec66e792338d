//! "Recently viewed": the browser keeps the ids of the products it showed (local storage, written by the
//! `RecentlyViewed` island), so a view costs no database write and no session; the server only turns a list of
//! ids into cards (decision 0044).

/// The most ids a list may name (the island keeps 12 and shows up to 8 besides the current product).
pub const MAX_IDS: usize = 12;

/// Why a list of ids was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecentError {
    #[error("Give up to {MAX_IDS} product numbers separated by commas.")]
    Invalid,
}

/// Product ids from `1,2,3`: positive integers, at most [`MAX_IDS`], duplicates dropped, in the given order; an
/// empty text is an empty list.
pub fn parse_ids(text: &str) -> Result<Vec<i64>, RecentError> {
    let mut ids: Vec<i64> = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        if part.len() > 18 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RecentError::Invalid);
        }
        let id: i64 = part.parse().map_err(|_| RecentError::Invalid)?;
        if id == 0 {
            return Err(RecentError::Invalid);
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() > MAX_IDS {
            return Err(RecentError::Invalid);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_numbers_within_the_limit() {
        assert_eq!(parse_ids("3,1,3,2"), Ok(vec![3, 1, 2]));
        assert_eq!(parse_ids(""), Ok(vec![]));
        for bad in ["1,-2", "1;2", "0", "1,x", "9999999999999999999", "1,\u{0}2", "١"] {
            assert_eq!(parse_ids(bad), Err(RecentError::Invalid), "{bad:?}");
        }
        let many = (1..=13).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(parse_ids(&many), Err(RecentError::Invalid));
    }
}
