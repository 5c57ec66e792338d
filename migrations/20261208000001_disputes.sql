-- Disputes (issue 21, decision 0030): a shopper's bank takes a payment back until the case is decided. Each
-- dispute is split over the group's store orders (`dispute_shares`, parts summing to the disputed amount); the
-- money policy says whether a store's share is held (its order's money stays pending until the case closes) or
-- reversed at once (and given back when the case is won).

CREATE TABLE disputes (
    id                BIGINT PRIMARY KEY,
    payment_id        BIGINT NOT NULL REFERENCES payments (id),
    group_id          BIGINT NOT NULL REFERENCES order_groups (id),
    provider          TEXT   NOT NULL,
    -- The provider's id of the case (Stripe's `dp_…`): events about it are matched by it.
    provider_dispute  TEXT   NOT NULL,
    amount            BIGINT NOT NULL CHECK (amount > 0),
    -- What the provider charged the platform for the case (Stripe: 15.00 in the US); the platform bears it.
    fee               BIGINT NOT NULL CHECK (fee >= 0),
    currency          TEXT   NOT NULL,
    reason            TEXT   NOT NULL,
    status            TEXT   NOT NULL CHECK (status IN ('needs_response', 'under_review', 'won', 'lost')),
    -- The policy when it opened: 'hold' or 'reverse' (a later change of the policy does not change an open case).
    mode              TEXT   NOT NULL CHECK (mode IN ('hold', 'reverse')),
    respond_by        BIGINT NULL,
    evidence_sent_at  BIGINT NULL,
    created_at        BIGINT NOT NULL,
    closed_at         BIGINT NULL
);
CREATE UNIQUE INDEX disputes_provider ON disputes (provider, provider_dispute);
CREATE INDEX disputes_group ON disputes (group_id);

CREATE TABLE dispute_shares (
    dispute_id   BIGINT NOT NULL REFERENCES disputes (id),
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    seller_id    BIGINT NOT NULL REFERENCES sellers (id),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    -- What the store wrote for the bank (the facts of the order are added to it when it is sent).
    evidence     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (dispute_id, order_id)
);
CREATE INDEX dispute_shares_seller ON dispute_shares (seller_id, dispute_id);

-- 1: an open dispute holds its order's money (pending, not paid out) until the case closes.
ALTER TABLE orders ADD COLUMN dispute_hold BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_dispute_hold ON orders (seller_id, dispute_hold);

-- 1: a store's share is held while the case is open and taken only when lost; 0: taken at once, given back when won.
ALTER TABLE money_policy ADD COLUMN dispute_hold BIGINT NOT NULL DEFAULT 0 CHECK (dispute_hold IN (0, 1));

-- The test gateway's sessions paid with its dispute card (4000 0000 0000 0259, as at Stripe) open a dispute.
ALTER TABLE test_gateway_sessions ADD COLUMN disputed BIGINT NOT NULL DEFAULT 0;
