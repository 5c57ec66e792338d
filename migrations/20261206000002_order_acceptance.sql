-- A store may ask to accept each new order before it ships (a store setting); an order not accepted in time is
-- cancelled and refunded by the shop's worker. Portable DDL (docs/decisions/0002-one-sql-path.md).
ALTER TABLE sellers ADD COLUMN accept_orders BIGINT NOT NULL DEFAULT 0 CHECK (accept_orders IN (0, 1));

-- Set when a paid order waits for its store's acceptance: the time it is cancelled at if it still waits. Cleared
-- (by a conditional update) when the store accepts it, ships part of it, or the worker cancels it.
ALTER TABLE orders ADD COLUMN accept_by BIGINT NULL;
CREATE INDEX orders_accept_by ON orders (accept_by);

-- A store's shipping record (orders due by date).
CREATE INDEX orders_seller_ship_by ON orders (seller_id, ship_by);
