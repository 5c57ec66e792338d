-- An account's saved shipping addresses (portable DDL, docs/decisions/0002-one-sql-path.md): remembered when the
-- account places an order, offered at the next checkout. `fingerprint` (the normalised address) makes the same
-- address one row, whose `last_used_at` moves.
CREATE TABLE addresses (
    id           BIGINT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    line1        TEXT   NOT NULL,
    line2        TEXT   NOT NULL DEFAULT '',
    city         TEXT   NOT NULL,
    postal       TEXT   NOT NULL,
    country      TEXT   NOT NULL,
    fingerprint  TEXT   NOT NULL,
    last_used_at BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX addresses_user_fingerprint ON addresses (user_id, fingerprint);
CREATE INDEX addresses_user_recent ON addresses (user_id, last_used_at);
