-- Refunds we made at the gateway, one row per idempotency key (the key the gateway call carried), written in the
-- transaction that changes the order and the payment: a double-clicked cancel records its refund once.
-- Owned by the payments context. `order_id` is the seller order refunded (NULL: the whole payment).
CREATE TABLE refunds (
    idempotency_key TEXT   PRIMARY KEY,
    payment_id      BIGINT NOT NULL REFERENCES payments (id),
    order_id        BIGINT NULL REFERENCES orders (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    created_at      BIGINT NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);
