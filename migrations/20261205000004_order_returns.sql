-- A shopper sends delivered units back (orders context). Each return is a state machine in domain code
-- (`orders::returns::ReturnState`); every change is a conditional update on its state.
CREATE TABLE order_returns (
    id              BIGINT PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- The request form's key: a form sent twice asks once.
    form_key        TEXT   NOT NULL,
    state           TEXT   NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'sent_back', 'received',
                                                      'refunded')),
    reason          TEXT   NOT NULL,
    -- What the shopper wrote (plain text, checked; at most 500 characters).
    note            TEXT   NOT NULL DEFAULT '',
    -- Why the store refused it.
    answer          TEXT   NOT NULL DEFAULT '',
    carrier         TEXT   NULL,
    tracking_number TEXT   NULL,
    restock         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_returns_key ON order_returns (order_id, form_key);
-- The order list's "Returns" tab: the returns a store has to act on.
CREATE INDEX order_returns_open ON order_returns (state, order_id);

CREATE TABLE order_return_lines (
    return_id  BIGINT NOT NULL REFERENCES order_returns (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, variant_id)
);
