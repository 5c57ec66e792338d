-- Issue 19: rules the catalog tools relied on, now kept by the schema.

-- A store's warehouses have distinct names whatever their case: an import's `Bazaar Stock: <name>` column must
-- name exactly one. Duplicates made before this rule get their id appended (nothing is lost; the seller renames).
UPDATE warehouses SET name = name || ' (' || CAST(id AS TEXT) || ')'
WHERE EXISTS (SELECT 1 FROM warehouses w WHERE w.seller_id = warehouses.seller_id
              AND LOWER(w.name) = LOWER(warehouses.name) AND w.id < warehouses.id);
CREATE UNIQUE INDEX warehouses_name_key ON warehouses (seller_id, LOWER(name));

-- SKUs are unique across the platform whatever their case (the editor and the import look them up by
-- LOWER(sku)); the index of 20261203000004 only made that lookup fast. Duplicates made before this rule get the
-- variant's id appended.
UPDATE variants SET sku = sku || '-' || CAST(id AS TEXT)
WHERE EXISTS (SELECT 1 FROM variants v WHERE LOWER(v.sku) = LOWER(variants.sku) AND v.id < variants.id);
DROP INDEX variants_sku_lower;
CREATE UNIQUE INDEX variants_sku_lower_key ON variants (LOWER(sku));

-- Platform-wide settings an operator changes without a release (`bazaar setting`); the platform context owns
-- them. `free_items`: whether a variant may be priced 0.00 (off unless set to 'on').
CREATE TABLE platform_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
