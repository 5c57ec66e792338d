-- A return may ask for a replacement instead of a refund (an exchange, for damaged or wrong items): the store sends
-- new units from its stock and the return ends "replaced". SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt with the new state and columns (portable DDL, docs/decisions/0002-one-sql-path.md).
CREATE TABLE order_returns_v2 (
    id                   BIGINT PRIMARY KEY,
    order_id             BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    form_key             TEXT   NOT NULL,
    state                TEXT   NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'sent_back',
                                                           'received', 'refunded', 'replaced')),
    reason               TEXT   NOT NULL,
    note                 TEXT   NOT NULL DEFAULT '',
    answer               TEXT   NOT NULL DEFAULT '',
    carrier              TEXT   NULL,
    tracking_number      TEXT   NULL,
    restock              BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    -- What the shopper asks for: their money back, or the same units again.
    wants                TEXT   NOT NULL DEFAULT 'refund' CHECK (wants IN ('refund', 'replacement')),
    -- The parcel the replacement left in.
    replacement_carrier  TEXT   NULL,
    replacement_tracking TEXT   NULL
);
INSERT INTO order_returns_v2 (id, order_id, form_key, state, reason, note, answer, carrier, tracking_number, restock,
                              created_at, updated_at)
SELECT id, order_id, form_key, state, reason, note, answer, carrier, tracking_number, restock, created_at, updated_at
FROM order_returns;

CREATE TABLE order_return_lines_v2 (
    return_id  BIGINT NOT NULL REFERENCES order_returns_v2 (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, variant_id)
);
INSERT INTO order_return_lines_v2 (return_id, variant_id, quantity)
SELECT return_id, variant_id, quantity FROM order_return_lines;

DROP TABLE order_return_lines;
DROP TABLE order_returns;
ALTER TABLE order_returns_v2 RENAME TO order_returns;
ALTER TABLE order_return_lines_v2 RENAME TO order_return_lines;
CREATE UNIQUE INDEX order_returns_key ON order_returns (order_id, form_key);
CREATE INDEX order_returns_open ON order_returns (state, order_id);

-- The units a replacement takes from stock are recorded as such ('replacement'): the same rebuild.
CREATE TABLE stock_movements_new (
    id           BIGINT PRIMARY KEY,
    variant_id   BIGINT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    delta        BIGINT NOT NULL,
    level_after  BIGINT NOT NULL,
    reason       TEXT   NOT NULL CHECK (reason IN ('received', 'damaged', 'count', 'returned', 'edited', 'imported',
                                                   'reserved', 'released', 'restocked', 'replacement')),
    user_id      BIGINT NULL,
    group_id     BIGINT NULL,
    created_at   BIGINT NOT NULL
);
INSERT INTO stock_movements_new (id, variant_id, warehouse_id, delta, level_after, reason, user_id, group_id, created_at)
SELECT id, variant_id, warehouse_id, delta, level_after, reason, user_id, group_id, created_at FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_new RENAME TO stock_movements;
CREATE INDEX stock_movements_variant ON stock_movements (variant_id, created_at);
