-- Promo codes (portable DDL, docs/decisions/0002-one-sql-path.md).

-- `code` is stored upper-case and matched case-insensitively. `seller_id` NULL = platform-wide (every item);
-- otherwise only that seller's items count and are discounted. `kind` percent: `value` is 1..100 (% off);
-- fixed: `value` in minor units, capped at the eligible subtotal. `min_subtotal` compares with the eligible
-- subtotal. `uses` counts redemptions of orders still alive: it is raised by a conditional UPDATE in the order's
-- transaction (so `max_uses` cannot be overrun by concurrent checkouts) and lowered when an unpaid order ends.
CREATE TABLE promo_codes (
    id           BIGINT PRIMARY KEY,
    code         TEXT   NOT NULL,
    seller_id    BIGINT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind         TEXT   NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value        BIGINT NOT NULL CHECK (value > 0),
    min_subtotal BIGINT NOT NULL DEFAULT 0 CHECK (min_subtotal >= 0),
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NULL,
    max_uses     BIGINT NULL CHECK (max_uses IS NULL OR max_uses > 0),
    per_customer BIGINT NULL CHECK (per_customer IS NULL OR per_customer > 0),
    uses         BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX promo_codes_code ON promo_codes (code);

-- Who used which code on which order group. `customer` is "u:{user id}" for an account, "e:{email}" for a guest.
CREATE TABLE promo_redemptions (
    promo_id   BIGINT NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    group_id   BIGINT NOT NULL REFERENCES order_groups (id) ON DELETE CASCADE,
    customer   TEXT   NOT NULL,
    amount     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (promo_id, group_id)
);
CREATE INDEX promo_redemptions_customer ON promo_redemptions (promo_id, customer);

ALTER TABLE order_groups ADD COLUMN discount_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_groups ADD COLUMN promo_code TEXT NULL;
ALTER TABLE orders ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;
