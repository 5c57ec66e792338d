-- SKUs are unique per store, whatever their case (issue 27): two stores may both sell a "MUD SCRUB", and a store's
-- own SKUs stay unique so that its rows can be found again by SKU. The store is kept on the variant for the index
-- (a product never changes store), and so is the SKU's folded case, `sku_key`, made by the application
-- (`editor::sku_key`) because SQLite's LOWER folds only ASCII letters and PostgreSQL's follows its locale: one
-- rule on both databases for "ÉTUI" and "étui". Existing SKUs were ASCII only, so LOWER folds them the same way.
ALTER TABLE variants ADD COLUMN seller_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE variants ADD COLUMN sku_key TEXT NOT NULL DEFAULT '';
UPDATE variants SET seller_id = (SELECT p.seller_id FROM products p WHERE p.id = variants.product_id),
                    sku_key = LOWER(sku);
DROP INDEX variants_sku_lower_key;
DROP INDEX variants_sku_key;
CREATE UNIQUE INDEX variants_store_sku_key ON variants (seller_id, sku_key);
