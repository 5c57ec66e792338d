-- When an order's latest parcel left (set with each shipment): the store's shipping record counts an order late
-- when it is after the ship-by date, without reading its shipments. Portable DDL (decision 0002).
ALTER TABLE orders ADD COLUMN last_shipped_at BIGINT NULL;
UPDATE orders SET last_shipped_at = (SELECT MAX(sh.created_at) FROM shipments sh WHERE sh.order_id = orders.id);
