-- Stock history and low-stock alerts (inventory context). Every change to `stock` writes a movement in the same
-- transaction: the seller's adjustments (received, damaged, a count, a return), the product form's figures, and
-- the orders' reservations, releases and restocks. `level_after` is the warehouse's units after the change.
CREATE TABLE stock_movements (
    id           BIGINT PRIMARY KEY,
    variant_id   BIGINT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    delta        BIGINT NOT NULL,
    level_after  BIGINT NOT NULL,
    reason       TEXT   NOT NULL CHECK (reason IN ('received', 'damaged', 'count', 'returned', 'edited', 'reserved',
                                                   'released', 'restocked')),
    -- Who: the signed-in account, or NULL for the shop (an order's reservation, an expiry).
    user_id      BIGINT NULL,
    group_id     BIGINT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX stock_movements_variant ON stock_movements (variant_id, created_at);

-- A variant whose units are at or below its threshold and whose seller has been told: one email per crossing.
-- The row goes when the units rise above the threshold again.
CREATE TABLE low_stock_alerts (
    variant_id BIGINT PRIMARY KEY,
    alerted_at BIGINT NOT NULL
);
