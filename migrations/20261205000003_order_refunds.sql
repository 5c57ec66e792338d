-- A store cancels or refunds part of an order (orders context; `given_back` is the inventory context's).

-- Per line: units refunded (those cancelled before they shipped, and shipped units refunded). Every change is
-- conditional on the counts staying within the line, so two refunds racing for one unit cannot both take it.
ALTER TABLE order_lines ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0);
UPDATE order_lines SET refunded = quantity
WHERE order_id IN (SELECT id FROM orders WHERE status IN ('cancelled', 'refunded'));

-- Units of a sold (committed) reservation put back on sale one line at a time (items cancelled, returned units
-- restocked); a whole-order restock later gives back only the rest.
ALTER TABLE reservations ADD COLUMN given_back BIGINT NOT NULL DEFAULT 0 CHECK (given_back >= 0);

-- One refund of a seller order, claimed before the payment provider is asked: its id is the provider call's
-- idempotency key, its claim (the order's `refunded` raised conditionally, within `total`) is what stops two
-- refunds from taking the same money. `form_key` comes from the form (or names a whole-order cancellation), so
-- a form sent twice claims once. A claim the provider refuses is deleted with what it took.
CREATE TABLE order_refunds (
    id          BIGINT PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    form_key    TEXT   NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('cancel', 'refund')),
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    -- Of `amount`, what is shipping.
    shipping    BIGINT NOT NULL DEFAULT 0 CHECK (shipping >= 0),
    reason      TEXT   NOT NULL,
    restock     BIGINT NOT NULL DEFAULT 0,
    state       TEXT   NOT NULL CHECK (state IN ('pending', 'succeeded')),
    created_by  BIGINT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_refunds_key ON order_refunds (order_id, form_key);

CREATE TABLE order_refund_lines (
    refund_id  BIGINT NOT NULL REFERENCES order_refunds (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (refund_id, variant_id)
);
