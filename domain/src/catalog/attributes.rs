//! Typed product attributes: categories define them (text, number, boolean, choice), subcategories inherit
//! them, and a product's values are checked against their definition before they are stored.

use model::FieldError;
use sqlx::Row;

use crate::catalog::{self, CatalogError};
use crate::platform::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    Text,
    Number,
    Boolean,
    Choice,
}

impl AttributeKind {
    pub fn parse(text: &str) -> Option<AttributeKind> {
        Some(match text {
            "text" => AttributeKind::Text,
            "number" => AttributeKind::Number,
            "boolean" => AttributeKind::Boolean,
            "choice" => AttributeKind::Choice,
            _ => return None,
        })
    }

    /// Choice and boolean attributes are offered as search facets; free text and numbers are only displayed.
    pub fn is_facet(self) -> bool {
        matches!(self, AttributeKind::Choice | AttributeKind::Boolean)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDefinition {
    pub category_id: i64,
    pub name: String,
    pub kind: AttributeKind,
    pub choices: Vec<String>,
    pub unit: String,
}

impl AttributeDefinition {
    /// The stored form of `value`, or a message naming what is allowed.
    pub fn validate(&self, value: &str) -> Result<String, FieldError> {
        let value = value.trim();
        let field = self.name.as_str();
        if value.is_empty() {
            return Err(FieldError::new(field, format!("Enter a value for {field}.")));
        }
        match self.kind {
            AttributeKind::Text => crate::platform::text::line(value, 200)
                .map_err(|problem| FieldError::new(field, format!("{field}: {}", problem.message()))),
            AttributeKind::Number => value
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|_| value.to_string())
                .ok_or_else(|| FieldError::new(field, format!("{field} must be a number."))),
            AttributeKind::Boolean => match value.to_ascii_lowercase().as_str() {
                "yes" | "true" | "1" => Ok("Yes".into()),
                "no" | "false" | "0" => Ok("No".into()),
                _ => Err(FieldError::new(field, format!("{field} must be yes or no."))),
            },
            AttributeKind::Choice => self
                .choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(value))
                .cloned()
                .ok_or_else(|| FieldError::new(field, format!("Choose one of: {}.", self.choices.join(", ")))),
        }
    }
}

/// The attributes products of `category_id` carry: its own definitions and those of its ancestors (the nearest
/// definition of a name wins), root definitions first.
pub async fn definitions_for(db: &Db, category_id: i64) -> Result<Vec<AttributeDefinition>, CatalogError> {
    let all = catalog::categories(db).await?;
    let trail: Vec<i64> = catalog::breadcrumbs(&all, category_id).iter().map(|c| c.id).collect();
    if trail.is_empty() {
        return Err(CatalogError::NotFound);
    }
    let list = trail.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(&format!(
        "SELECT category_id, name, kind, choices, unit FROM attribute_definitions \
         WHERE category_id IN ({list}) ORDER BY position, name"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut defs: Vec<AttributeDefinition> = Vec::new();
    for row in rows {
        let kind: String = row.try_get("kind")?;
        let choices: String = row.try_get("choices")?;
        defs.push(AttributeDefinition {
            category_id: row.try_get("category_id")?,
            name: row.try_get("name")?,
            // The CHECK constraint allows only the four kinds; anything else would be a schema change.
            kind: AttributeKind::parse(&kind).unwrap_or(AttributeKind::Text),
            choices: serde_json::from_str(&choices).unwrap_or_default(),
            unit: row.try_get("unit")?,
        });
    }
    let depth = |d: &AttributeDefinition| trail.iter().position(|c| *c == d.category_id).unwrap_or(0);
    defs.sort_by_key(|d| depth(d));
    let mut out: Vec<AttributeDefinition> = Vec::new();
    for def in defs {
        match out.iter_mut().find(|d| d.name == def.name) {
            Some(existing) => *existing = def,
            None => out.push(def),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(kind: AttributeKind) -> AttributeDefinition {
        AttributeDefinition {
            category_id: 1,
            name: "Colour".into(),
            kind,
            choices: vec!["Black".into(), "White".into()],
            unit: String::new(),
        }
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        assert_eq!(
            def(AttributeKind::Choice).validate(" black ").ok().as_deref(),
            Some("Black")
        );
        assert!(def(AttributeKind::Choice).validate("Purple").is_err());
        assert_eq!(
            def(AttributeKind::Boolean).validate("TRUE").ok().as_deref(),
            Some("Yes")
        );
        assert!(def(AttributeKind::Boolean).validate("maybe").is_err());
        assert!(def(AttributeKind::Number).validate("12.5").is_ok());
        assert!(def(AttributeKind::Number).validate("NaN").is_err());
        assert!(def(AttributeKind::Number).validate("twelve").is_err());
        assert!(def(AttributeKind::Text).validate("").is_err());
        assert!(def(AttributeKind::Text).validate(&"x".repeat(201)).is_err());
    }
}
