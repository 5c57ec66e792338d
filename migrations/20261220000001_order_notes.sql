-- The admins' internal notes on a checkout (issue 23, `/admin/orders/{number}`): read by admins only, never by the
-- shopper or the stores. Append-only: no code path updates or deletes a note, and triggers
-- (domain/sql/append_only_*.sql) refuse UPDATE and DELETE on both databases. `author_name` is kept as written so
-- a note still says who wrote it after that account is gone.
CREATE TABLE order_notes (
    id          BIGINT PRIMARY KEY,
    group_id    BIGINT NOT NULL REFERENCES order_groups (id),
    author_id   BIGINT NULL,
    author_name TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX order_notes_group ON order_notes (group_id, id);

-- The admins' orders list reads checkouts newest first by keyset (created_at, id).
CREATE INDEX order_groups_created ON order_groups (created_at, id);
