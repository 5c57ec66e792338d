//! The conditions of an admin list's query, each with its bound values numbered in order: what a filter typed
//! is always bound, never written into the SQL.

use sqlx::AnyConnection;

#[derive(Debug)]
enum Value {
    Int(i64),
    Text(String),
}

#[derive(Debug, Default)]
pub(super) struct Filters {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Filters {
    /// Binds `value`; its placeholder's number.
    pub fn bind_int(&mut self, value: i64) -> usize {
        self.values.push(Value::Int(value));
        self.values.len()
    }

    pub fn bind_text(&mut self, value: String) -> usize {
        self.values.push(Value::Text(value));
        self.values.len()
    }

    pub fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    pub async fn fetch_all<T>(&self, sql: &str, conn: &mut AnyConnection) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut query = sqlx::query_as::<_, T>(sql);
        for value in &self.values {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
            };
        }
        query.fetch_all(&mut *conn).await
    }
}

/// Cuts `rows` (read with one more than `page`) to `page` rows; the cursor of the next page, when there is one,
/// from the last row kept.
pub(super) fn cut_page<T>(rows: &mut Vec<T>, page: usize, cursor: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() <= page {
        return None;
    }
    rows.truncate(page);
    rows.last().map(cursor)
}
