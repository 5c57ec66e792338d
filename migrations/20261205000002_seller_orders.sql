-- A store works its orders (orders context; `handling_days` is the sellers context's).

-- Business days a store takes to ship a paid order: each order's ship-by date comes from it.
ALTER TABLE sellers ADD COLUMN handling_days BIGINT NOT NULL DEFAULT 2 CHECK (handling_days BETWEEN 0 AND 30);

-- When the order must have left (Unix milliseconds, set when it is paid) and how many of its units have.
-- Units shipped > 0 on an order still to ship is "partially shipped": the status keeps saying what the money did.
ALTER TABLE orders ADD COLUMN ship_by BIGINT NULL;
ALTER TABLE orders ADD COLUMN units_shipped BIGINT NOT NULL DEFAULT 0 CHECK (units_shipped >= 0);

-- Per line: units shipped and units cancelled. Every change is conditional on shipped + cancelled staying within
-- the quantity, so a ship and a cancel racing for the same unit cannot both take it.
ALTER TABLE order_lines ADD COLUMN shipped BIGINT NOT NULL DEFAULT 0 CHECK (shipped >= 0);
ALTER TABLE order_lines ADD COLUMN cancelled BIGINT NOT NULL DEFAULT 0 CHECK (cancelled >= 0);

-- Orders marked shipped before shipments existed shipped everything.
UPDATE order_lines SET shipped = quantity
WHERE order_id IN (SELECT id FROM orders WHERE status IN ('shipped', 'delivered'));
UPDATE orders SET units_shipped = COALESCE((SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = orders.id), 0)
WHERE status IN ('shipped', 'delivered');

-- A parcel: the units that left together, with whom. `idempotency_key` comes from the shipping form, so a double
-- submitted form records one shipment.
CREATE TABLE shipments (
    id              BIGINT PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    idempotency_key TEXT   NOT NULL,
    carrier         TEXT   NOT NULL CHECK (carrier IN ('ups', 'usps', 'fedex', 'dhl', 'other')),
    tracking_number TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX shipments_key ON shipments (order_id, idempotency_key);

CREATE TABLE shipment_lines (
    shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    variant_id  BIGINT NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, variant_id)
);

-- The seller's order list: a store's orders by status, newest first, in keyset pages.
CREATE INDEX orders_seller_status ON orders (seller_id, status, created_at, id);
