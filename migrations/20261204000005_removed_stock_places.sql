-- The names a stock movement was made under, kept when its variant or warehouse is removed (inventory context):
-- the history of a removed variant or warehouse still says what moved, where, and whose it was. Written in the
-- transaction that removes the row; never changed after.
CREATE TABLE removed_variants (
    id            BIGINT PRIMARY KEY,
    seller_id     BIGINT NOT NULL,
    product_title TEXT   NOT NULL,
    variant_title TEXT   NOT NULL,
    sku           TEXT   NOT NULL,
    removed_at    BIGINT NOT NULL
);
CREATE TABLE removed_warehouses (
    id         BIGINT PRIMARY KEY,
    seller_id  BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    removed_at BIGINT NOT NULL
);
