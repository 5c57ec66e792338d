-- Portable DDL: this file runs unchanged on SQLite and PostgreSQL (docs/decisions/0002-one-sql-path.md).
-- ids are BIGINT made by the application, timestamps BIGINT unix milliseconds (UTC), enums TEXT with CHECK.

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    email         TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL DEFAULT 'shopper' CHECK (role IN ('shopper', 'seller', 'admin')),
    disabled_at   BIGINT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- Emails are stored normalised (trimmed, lowercased) so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_email_key ON users (email);

-- tower-sessions records, kept by our own store (one sqlx version in the graph, both databases).
-- user_id is copied out of the record so "end every session of this user" is one indexed DELETE.
CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Failed logins, counted per scope ('account:<email>' or 'ip:<address>') over a sliding window.
-- Kept in the database, not in memory, so several app instances share one count.
CREATE TABLE login_failures (
    scope     TEXT   NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_scope_at ON login_failures (scope, failed_at);
