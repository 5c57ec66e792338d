-- A seller's uploaded catalog file, kept between its dry run and the seller's "Apply": the file itself, the
-- category chosen for rows without one, the dry run's report (JSON) and a digest of the changes it found, so an
-- apply that would now do something else (the catalog changed meanwhile) is refused rather than surprising.
CREATE TABLE product_imports (
    id               BIGINT PRIMARY KEY,
    seller_id        BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    user_id          BIGINT NOT NULL,
    file_name        TEXT   NOT NULL,
    body             TEXT   NOT NULL,
    default_category BIGINT NULL,
    report           TEXT   NOT NULL,
    digest           TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    applied_at       BIGINT NULL
);
CREATE INDEX product_imports_seller ON product_imports (seller_id, created_at);

-- SKUs are unique across the platform whatever their case: the editor and the import look them up by LOWER(sku).
CREATE INDEX variants_sku_lower ON variants (LOWER(sku));
