-- What makes a store's money screen read rollups instead of its whole ledger (decision 0028): each order's net
-- booked so far (pending is the sum over the orders not released yet), and each store's entries per UTC day and
-- kind (the statement's totals for any period). Both are raised by `money::ledger::append` with each entry.
ALTER TABLE orders ADD COLUMN booked BIGINT NOT NULL DEFAULT 0;

CREATE TABLE seller_ledger_days (
    seller_id  BIGINT NOT NULL REFERENCES sellers (id),
    currency   TEXT   NOT NULL,
    -- Days since 1970-01-01 (UTC).
    day        BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    entries    BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    PRIMARY KEY (seller_id, currency, day, kind)
);

-- Pending reads only this index: a store's orders not released yet, with what each booked.
DROP INDEX orders_funds_release;
CREATE INDEX orders_funds_release ON orders (seller_id, funds_release_at, booked);

-- A statement filtered by kind reads its pages along this index, newest first.
CREATE INDEX seller_ledger_kind ON seller_ledger (seller_id, currency, kind, seq);

-- Orders that had ended before the ledger existed: nothing of theirs waits any more.
UPDATE orders SET funds_release_at = updated_at
WHERE funds_release_at IS NULL AND status IN ('delivered', 'cancelled', 'refunded');
