-- SKUs are unique per store, whatever their case (issue 27): two stores may both sell a "MUD SCRUB", and a store's
-- own SKUs stay unique so that its rows can be found again by SKU. The store is kept on the variant for the index
-- (a product never changes store).
ALTER TABLE variants ADD COLUMN seller_id BIGINT NOT NULL DEFAULT 0;
UPDATE variants SET seller_id = (SELECT p.seller_id FROM products p WHERE p.id = variants.product_id);
DROP INDEX variants_sku_lower_key;
DROP INDEX variants_sku_key;
CREATE UNIQUE INDEX variants_store_sku_key ON variants (seller_id, LOWER(sku));
