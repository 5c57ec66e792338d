-- Checkout, orders, inventory reservations, payments and mail (portable DDL, docs/decisions/0002-one-sql-path.md).

-- A seller's shipping rates. `country` is an ISO 3166 code or '*' for anywhere; a country-specific rate of the
-- same name wins over '*'. `kind`: flat per order, or per item. Free when the seller's item subtotal reaches
-- `free_over` (if set).
CREATE TABLE shipping_rates (
    id         BIGINT PRIMARY KEY,
    seller_id  BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    country    TEXT   NOT NULL DEFAULT '*',
    kind       TEXT   NOT NULL CHECK (kind IN ('flat', 'per_item')),
    amount     BIGINT NOT NULL CHECK (amount >= 0),
    free_over  BIGINT NULL CHECK (free_over IS NULL OR free_over >= 0),
    days_min   BIGINT NOT NULL DEFAULT 2,
    days_max   BIGINT NOT NULL DEFAULT 5,
    position   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX shipping_rates_seller ON shipping_rates (seller_id, position);

-- Platform tax per destination country, in basis points (1900 = 19 %). `inclusive` = 1: prices already contain
-- the tax (shown as "incl."); 0: tax is added at checkout.
CREATE TABLE tax_rates (
    country   TEXT   PRIMARY KEY,
    rate_bp   BIGINT NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
    inclusive BIGINT NOT NULL DEFAULT 0 CHECK (inclusive IN (0, 1))
);

-- One checkout = one order group = one payment. `idempotency_key` comes from the review page's form, so a
-- double submit or a second tab finds the same group instead of making another.
CREATE TABLE order_groups (
    id              BIGINT PRIMARY KEY,
    number          TEXT   NOT NULL,
    idempotency_key TEXT   NOT NULL,
    user_id         BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    cart_id         BIGINT NULL,
    email           TEXT   NOT NULL,
    ship_name       TEXT   NOT NULL,
    ship_line1      TEXT   NOT NULL,
    ship_line2      TEXT   NOT NULL DEFAULT '',
    ship_city       TEXT   NOT NULL,
    ship_postal     TEXT   NOT NULL,
    ship_country    TEXT   NOT NULL,
    currency        TEXT   NOT NULL,
    items_total     BIGINT NOT NULL,
    shipping_total  BIGINT NOT NULL,
    tax_total       BIGINT NOT NULL,
    tax_inclusive   BIGINT NOT NULL DEFAULT 0,
    grand_total     BIGINT NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('pending_payment', 'paid', 'payment_failed', 'expired', 'cancelled')),
    reserved_until  BIGINT NOT NULL,
    -- The secret in a guest's order link (sent in the confirmation email, which is written when the payment
    -- succeeds, so it is kept, like a shop's order-status URL; it shows that one order and nothing else).
    view_token      TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_groups_number_key ON order_groups (number);
CREATE UNIQUE INDEX order_groups_idempotency_key ON order_groups (idempotency_key);
CREATE INDEX order_groups_user ON order_groups (user_id, created_at);
CREATE INDEX order_groups_expiry ON order_groups (status, reserved_until);

-- One order per seller in a group.
CREATE TABLE orders (
    id              BIGINT PRIMARY KEY,
    group_id        BIGINT NOT NULL REFERENCES order_groups (id) ON DELETE CASCADE,
    seller_id       BIGINT NOT NULL REFERENCES sellers (id),
    number          TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled',
                                                       'refunded', 'partially_refunded', 'payment_failed', 'expired')),
    shipping_name   TEXT   NOT NULL,
    shipping_amount BIGINT NOT NULL,
    items_total     BIGINT NOT NULL,
    tax_amount      BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    refunded        BIGINT NOT NULL DEFAULT 0,
    carrier         TEXT   NULL,
    tracking_number TEXT   NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX orders_number_key ON orders (number);
CREATE INDEX orders_group ON orders (group_id);
CREATE INDEX orders_seller ON orders (seller_id, created_at);

-- What was bought, frozen at the time of the order (title, SKU, price).
CREATE TABLE order_lines (
    order_id   BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    title      TEXT   NOT NULL,
    variant    TEXT   NOT NULL,
    sku        TEXT   NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, variant_id)
);

-- The timeline of each order.
CREATE TABLE order_events (
    id         BIGINT PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status     TEXT   NOT NULL,
    note       TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, created_at);

-- Stock held for an order group: taken from `stock.available` by a conditional decrement when the order is
-- placed; committed on payment, or released (given back) on expiry, failure or cancellation; restocked when a
-- paid order is cancelled or refunded. on hand = available + held.
CREATE TABLE reservations (
    id           BIGINT PRIMARY KEY,
    group_id     BIGINT NOT NULL REFERENCES order_groups (id) ON DELETE CASCADE,
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id   BIGINT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    state        TEXT   NOT NULL CHECK (state IN ('held', 'committed', 'released', 'restocked')),
    expires_at   BIGINT NOT NULL
);
CREATE INDEX reservations_group ON reservations (group_id, state);

-- One row per payment attempt of a group (a declined attempt, then a successful one, are two rows).
CREATE TABLE payments (
    id           BIGINT PRIMARY KEY,
    group_id     BIGINT NOT NULL REFERENCES order_groups (id) ON DELETE CASCADE,
    provider     TEXT   NOT NULL,
    provider_ref TEXT   NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded')),
    refunded     BIGINT NOT NULL DEFAULT 0,
    failure      TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref);
CREATE INDEX payments_group ON payments (group_id);

-- Every payment event (the test gateway's and Stripe's webhooks) is recorded here before it is applied, keyed by
-- provider and event id: a redelivered event finds its row and changes nothing.
CREATE TABLE payment_events (
    provider    TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    payload     TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The test gateway's hosted payment sessions (what Stripe would keep on its side). The id is in the payment page's
-- URL, so it carries a random part (it must not be guessable); `payment_id` makes starting twice find one session.
CREATE TABLE test_gateway_sessions (
    id         TEXT   PRIMARY KEY,
    payment_id BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    currency   TEXT   NOT NULL,
    reference  TEXT   NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('open', 'succeeded', 'failed')),
    refunded   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX test_gateway_sessions_payment ON test_gateway_sessions (payment_id);

-- Mail to send, written in the same transaction as what it reports. `dedupe_key` makes "once per order" a
-- constraint, not a hope.
CREATE TABLE mail_outbox (
    id              BIGINT PRIMARY KEY,
    dedupe_key      TEXT   NOT NULL,
    to_addr         TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT NULL,
    last_error      TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX mail_outbox_dedupe_key ON mail_outbox (dedupe_key);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- The development mailbox: what the dev mailer "sent", readable at /dev/mailbox.
CREATE TABLE dev_mailbox (
    id         BIGINT PRIMARY KEY,
    to_addr    TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- The test gateway's refunds, keyed by the idempotency key we send (as Stripe keys its requests).
CREATE TABLE test_gateway_refunds (
    idempotency_key TEXT   PRIMARY KEY,
    session_id      TEXT   NOT NULL,
    amount          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
