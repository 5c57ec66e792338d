-- Seller money (issue 21, decision 0028): the platform's money rules, an append-only ledger per store with its
-- running balance, and transfers (payouts) that each cover the entries they paid out. The ledger and the transfer
-- items take no UPDATE or DELETE: triggers added after the migrations (domain/sql/append_only_*.sql) refuse both.

-- One row: the platform's rules for sellers' money.
CREATE TABLE money_policy (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    -- Days an order's money stays pending after delivery (returns and disputes come in that time).
    hold_days          BIGINT NOT NULL CHECK (hold_days BETWEEN 0 AND 90),
    -- VAT or GST the platform charges on its commission, in basis points (0: none).
    commission_tax_bp  BIGINT NOT NULL CHECK (commission_tax_bp BETWEEN 0 AND 10000),
    -- 1: a refund of units gives back those units' commission (and its tax); 0: the platform keeps it.
    commission_back    BIGINT NOT NULL CHECK (commission_back IN (0, 1)),
    -- The least amount a transfer moves, in minor units.
    min_transfer       BIGINT NOT NULL CHECK (min_transfer >= 0),
    updated_at         BIGINT NOT NULL
);
INSERT INTO money_policy (id, hold_days, commission_tax_bp, commission_back, min_transfer, updated_at)
VALUES (1, 7, 0, 1, 100, 0);

-- When an order's money stops being pending: its delivery plus the holding days, frozen at the delivery; the
-- moment it ended when it ended cancelled or refunded. NULL until then.
ALTER TABLE orders ADD COLUMN funds_release_at BIGINT NULL;
CREATE INDEX orders_funds_release ON orders (seller_id, funds_release_at);

-- Money moved to a store: by the platform's bank (recorded by an admin, with its reference) or by Stripe.
CREATE TABLE seller_transfers (
    id          BIGINT PRIMARY KEY,
    seller_id   BIGINT NOT NULL REFERENCES sellers (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    currency    TEXT   NOT NULL,
    method      TEXT   NOT NULL CHECK (method IN ('manual', 'stripe')),
    reference   TEXT   NOT NULL,
    -- The form (or the sweep's period) that asked for it: asked twice, made once.
    form_key    TEXT   NOT NULL,
    created_by  BIGINT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_transfers_form_key ON seller_transfers (form_key);
CREATE INDEX seller_transfers_seller ON seller_transfers (seller_id, created_at);

-- The running total of a store's ledger in one currency, and the number of its last entry: the row every new
-- entry of the store takes in turn, so entries are numbered and balanced one after another.
CREATE TABLE seller_balances (
    seller_id   BIGINT NOT NULL REFERENCES sellers (id),
    currency    TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    balance     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (seller_id, currency)
);

CREATE TABLE seller_ledger (
    id           BIGINT PRIMARY KEY,
    seller_id    BIGINT NOT NULL REFERENCES sellers (id),
    currency     TEXT   NOT NULL,
    -- 1, 2, 3… per store and currency, in the order entries were made.
    seq          BIGINT NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('sale', 'commission', 'commission_tax', 'processing_fee', 'refund',
                                                 'commission_back', 'commission_tax_back', 'dispute', 'dispute_won',
                                                 'transfer', 'adjustment')),
    -- Signed, in minor units: what the entry adds to (or takes from) the store's money.
    amount       BIGINT NOT NULL,
    -- The store's balance after this entry.
    balance      BIGINT NOT NULL,
    order_id     BIGINT NULL REFERENCES orders (id),
    refund_id    BIGINT NULL,
    transfer_id  BIGINT NULL REFERENCES seller_transfers (id),
    note         TEXT   NOT NULL DEFAULT '',
    -- What caused it (`sale:<order>`, `refund:<refund>`…): the same cause twice makes one entry.
    entry_key    TEXT   NOT NULL,
    created_by   BIGINT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_ledger_entry_key ON seller_ledger (entry_key);
CREATE UNIQUE INDEX seller_ledger_seq ON seller_ledger (seller_id, currency, seq);
CREATE INDEX seller_ledger_order ON seller_ledger (order_id);
CREATE INDEX seller_ledger_when ON seller_ledger (seller_id, created_at);

-- Which entries a transfer paid out: each entry at most once.
CREATE TABLE seller_transfer_items (
    entry_id     BIGINT PRIMARY KEY REFERENCES seller_ledger (id),
    transfer_id  BIGINT NOT NULL REFERENCES seller_transfers (id)
);
CREATE INDEX seller_transfer_items_transfer ON seller_transfer_items (transfer_id);
