-- A catalog import's stock figures are recorded as such in the history ('imported'), not as the product form's.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, the same way on both databases.
CREATE TABLE stock_movements_new (
    id           BIGINT PRIMARY KEY,
    variant_id   BIGINT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    delta        BIGINT NOT NULL,
    level_after  BIGINT NOT NULL,
    reason       TEXT   NOT NULL CHECK (reason IN ('received', 'damaged', 'count', 'returned', 'edited', 'imported',
                                                   'reserved', 'released', 'restocked')),
    user_id      BIGINT NULL,
    group_id     BIGINT NULL,
    created_at   BIGINT NOT NULL
);
INSERT INTO stock_movements_new (id, variant_id, warehouse_id, delta, level_after, reason, user_id, group_id, created_at)
SELECT id, variant_id, warehouse_id, delta, level_after, reason, user_id, group_id, created_at FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_new RENAME TO stock_movements;
CREATE INDEX stock_movements_variant ON stock_movements (variant_id, created_at);
