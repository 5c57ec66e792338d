//! Listing parameters as they arrive in a URL, parsed into a [`SearchQuery`] (parse, don't validate): every
//! problem is reported as a field error, nothing is silently clamped except the query length.

use model::catalog::{SearchQuery, Sort};
use model::FieldError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Longer queries are cut: nobody types more, and it bounds the work a request can cause.
pub const MAX_QUERY_CHARS: usize = 200;

/// Raw search parameters as they arrive in a URL (every value still text).
#[derive(Debug, Clone, Default)]
pub struct RawSearch {
    pub q: Option<String>,
    pub category: Option<String>,
    pub seller: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub sort: Option<String>,
    pub rating: Option<String>,
    pub store_rating: Option<String>,
    pub in_stock: Option<String>,
    /// Every `attr=Name:Value` parameter.
    pub attrs: Vec<String>,
}

impl RawSearch {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> RawSearch {
        let mut raw = RawSearch::default();
        for (key, value) in pairs {
            let value = Some(value.to_string());
            match key {
                "q" => raw.q = value,
                "category" => raw.category = value,
                "seller" => raw.seller = value,
                "price_min" => raw.price_min = value,
                "price_max" => raw.price_max = value,
                "page" => raw.page = value,
                "per_page" => raw.per_page = value,
                "sort" => raw.sort = value,
                "rating" => raw.rating = value,
                "store_rating" => raw.store_rating = value,
                "in_stock" => raw.in_stock = value,
                "attr" => raw.attrs.extend(value),
                _ => {}
            }
        }
        raw
    }
}

/// Parses a price in major units ("12", "12.5", "12.99") into minor units.
fn parse_price(field: &str, text: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, "Enter a price like 10 or 10.50, zero or more.");
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || whole.len() > 9 || frac.len() > 2 {
        return Err(bad());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    Ok(whole * 100 + frac)
}

fn parse_count(field: &str, text: &str, min: u32, max: u32) -> Result<u32, FieldError> {
    let bad = || FieldError::new(field, format!("Enter a whole number from {min} to {max}."));
    let n: u32 = text.trim().parse().map_err(|_| bad())?;
    if n < min || n > max {
        return Err(bad());
    }
    Ok(n)
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Validates URL parameters: every problem is reported, nothing is silently clamped except the query length.
pub fn parse_search(raw: &RawSearch) -> Result<SearchQuery, Vec<FieldError>> {
    fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| errors.push(e)).ok()
    }
    let mut errors = Vec::new();
    let e = &mut errors;
    let price_min = non_empty(&raw.price_min).and_then(|t| keep(e, parse_price("price_min", t)));
    let price_max = non_empty(&raw.price_max).and_then(|t| keep(e, parse_price("price_max", t)));
    let page = non_empty(&raw.page).map_or(Some(1), |t| keep(e, parse_count("page", t, 1, 10_000)));
    let per_page = non_empty(&raw.per_page).map_or(Some(DEFAULT_PER_PAGE), |t| {
        keep(e, parse_count("per_page", t, 1, MAX_PER_PAGE))
    });
    let sort = match non_empty(&raw.sort) {
        None => Some(Sort::default()),
        Some(text) => keep(
            e,
            Sort::parse(text)
                .ok_or_else(|| FieldError::new("sort", "Choose relevance, price_asc, price_desc, newest or rating.")),
        ),
    };
    let rating_min = non_empty(&raw.rating).and_then(|t| keep(e, parse_count("rating", t, 1, 4)));
    let store_rating_min = non_empty(&raw.store_rating).and_then(|t| keep(e, parse_count("store_rating", t, 1, 4)));
    let in_stock = match non_empty(&raw.in_stock) {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => {
            errors.push(FieldError::new("in_stock", "Use 1 to show only products in stock."));
            false
        }
    };
    let mut attrs: Vec<(String, String)> = Vec::new();
    for text in raw.attrs.iter().take(16) {
        match text.split_once(':').map(|(n, v)| (n.trim(), v.trim())) {
            Some((name, value)) if !name.is_empty() && !value.is_empty() => {
                // One value per attribute name: a later value of the same name replaces the earlier one.
                attrs.retain(|(n, _)| n != name);
                attrs.push((name.to_string(), value.to_string()));
            }
            _ => errors.push(FieldError::new("attr", "Write attribute filters as Name:Value.")),
        }
    }
    if let (Some(min), Some(max)) = (price_min, price_max) {
        if min > max {
            errors.push(FieldError::new(
                "price_min",
                "The minimum price is above the maximum price.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let q = non_empty(&raw.q).map(|q| crate::platform::text::cleaned(q, MAX_QUERY_CHARS));
    Ok(SearchQuery {
        q,
        category: non_empty(&raw.category).map(str::to_string),
        seller: non_empty(&raw.seller).map(str::to_string),
        price_min,
        price_max,
        rating_min: rating_min.map(|r| r as u8),
        store_rating_min: store_rating_min.map(|r| r as u8),
        in_stock,
        attrs,
        page: page.unwrap_or(1),
        per_page: per_page.unwrap_or(DEFAULT_PER_PAGE),
        sort: sort.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawSearch {
        RawSearch::from_pairs(pairs.iter().copied())
    }

    fn fields(r: Result<SearchQuery, Vec<FieldError>>) -> Vec<String> {
        r.expect_err("accepted").into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn defaults_are_page_one_twenty_per_page() {
        let q = parse_search(&raw(&[])).expect("valid");
        assert_eq!((q.page, q.per_page, q.sort), (1, 20, Sort::Relevance));
    }

    #[test]
    fn prices_are_read_as_major_units() {
        let q = parse_search(&raw(&[("price_min", "10"), ("price_max", "12.5")])).expect("valid");
        assert_eq!((q.price_min, q.price_max), (Some(1000), Some(1250)));
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(fields(parse_search(&raw(&[("price_min", "abc")]))), ["price_min"]);
        assert_eq!(fields(parse_search(&raw(&[("price_min", "-5")]))), ["price_min"]);
        assert_eq!(
            fields(parse_search(&raw(&[("price_min", "20"), ("price_max", "10")]))),
            ["price_min"]
        );
        assert_eq!(fields(parse_search(&raw(&[("per_page", "101")]))), ["per_page"]);
        assert_eq!(fields(parse_search(&raw(&[("page", "0")]))), ["page"]);
        assert_eq!(
            fields(parse_search(&raw(&[("page", "x"), ("sort", "best")]))),
            ["page", "sort"]
        );
    }

    #[test]
    fn a_huge_query_is_cut_not_rejected() {
        let long = "ä".repeat(10_000);
        let q = parse_search(&raw(&[("q", &long)])).expect("valid");
        assert_eq!(q.q.map(|q| q.chars().count()), Some(MAX_QUERY_CHARS));
    }
}
