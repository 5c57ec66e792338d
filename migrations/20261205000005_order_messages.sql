-- The conversation of a seller order between its shopper and its store, and the store's internal notes
-- (orders context). A message that holds an email address, a phone number or a link is flagged to both sides.
CREATE TABLE order_messages (
    id         BIGINT PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- 'note': the store's internal note, never shown to the shopper.
    author     TEXT   NOT NULL CHECK (author IN ('shopper', 'store', 'note')),
    body       TEXT   NOT NULL,
    -- What the message holds that takes a deal off Bazaar ('' when nothing): 'email', 'phone', 'link'.
    flag       TEXT   NOT NULL DEFAULT '',
    -- The form's key: a form sent twice posts once.
    form_key   TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_messages_key ON order_messages (order_id, form_key);
CREATE INDEX order_messages_order ON order_messages (order_id, created_at);
-- The admins' list of flagged messages, newest first.
CREATE INDEX order_messages_flagged ON order_messages (flag, created_at);
