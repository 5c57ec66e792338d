-- How a store keeps stock and takes catalog files (sellers context; the stock table is inventory's):
-- * default_warehouse_id: where an import's Variant Inventory Qty goes and where units sold beyond stock are
--   counted (NULL: the store's first warehouse, also after that warehouse is removed);
-- * backorders: 1 when the store lets a variant keep selling when out of stock;
-- * strict_import_skus: 1 when a SKU repeated in an import file refuses the product instead of being left out.
ALTER TABLE sellers ADD COLUMN default_warehouse_id BIGINT NULL REFERENCES warehouses (id) ON DELETE SET NULL;
ALTER TABLE sellers ADD COLUMN backorders BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sellers ADD COLUMN strict_import_skus BIGINT NOT NULL DEFAULT 0;

-- A variant that keeps selling when out of stock (Shopify's Inventory Policy "continue"); only ever 1 in a store
-- with backorders on (turning them off clears it).
ALTER TABLE variants ADD COLUMN keep_selling BIGINT NOT NULL DEFAULT 0;

-- Units sold beyond stock make a warehouse's figure negative (it owes them), so the floor moves from 0 to the
-- most a warehouse keeps, below zero. Neither engine alters a CHECK in place portably: the table is rebuilt.
-- Selling past zero is still only possible for a keep-selling variant: every other decrement is conditional.
CREATE TABLE stock_next (
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id) ON DELETE CASCADE,
    available    BIGINT NOT NULL CHECK (available >= -1000000),
    PRIMARY KEY (variant_id, warehouse_id)
);
INSERT INTO stock_next (variant_id, warehouse_id, available) SELECT variant_id, warehouse_id, available FROM stock;
DROP TABLE stock;
ALTER TABLE stock_next RENAME TO stock;
