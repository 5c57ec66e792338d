-- Catalog: sellers, warehouses, the category tree, products with variants, stock per variant per warehouse.
-- Portable DDL (docs/decisions/0002-one-sql-path.md). Money is BIGINT minor units + a currency code.

CREATE TABLE sellers (
    id          BIGINT PRIMARY KEY,
    user_id     BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    store_name  TEXT   NOT NULL,
    slug        TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    status      TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'suspended')),
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX sellers_slug_key ON sellers (slug);

CREATE TABLE warehouses (
    id         BIGINT PRIMARY KEY,
    seller_id  BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    country    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX warehouses_seller ON warehouses (seller_id);

CREATE TABLE categories (
    id        BIGINT PRIMARY KEY,
    parent_id BIGINT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    slug      TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    position  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX categories_slug_key ON categories (slug);

CREATE TABLE products (
    id             BIGINT PRIMARY KEY,
    seller_id      BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    category_id    BIGINT NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    title          TEXT   NOT NULL,
    slug           TEXT   NOT NULL,
    description_md TEXT   NOT NULL DEFAULT '',
    status         TEXT   NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    -- Denormalised for listings: the cheapest variant's price, lowercase searchable text, the rating aggregate.
    min_price      BIGINT NOT NULL DEFAULT 0,
    currency       TEXT   NOT NULL DEFAULT 'USD',
    search_text    TEXT   NOT NULL DEFAULT '',
    rating_sum     BIGINT NOT NULL DEFAULT 0,
    rating_count   BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX products_slug_key ON products (slug);
CREATE INDEX products_listing ON products (status, category_id, min_price);
CREATE INDEX products_newest ON products (status, created_at);
CREATE INDEX products_seller ON products (seller_id, status);

CREATE TABLE product_attributes (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    position   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, name)
);

CREATE TABLE variants (
    id               BIGINT PRIMARY KEY,
    product_id       BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku              TEXT   NOT NULL,
    title            TEXT   NOT NULL,
    -- Option values as JSON text, e.g. {"Size":"M","Colour":"Blue"}.
    options          TEXT   NOT NULL DEFAULT '{}',
    price            BIGINT NOT NULL CHECK (price >= 0),
    compare_at_price BIGINT NULL CHECK (compare_at_price IS NULL OR compare_at_price >= 0),
    currency         TEXT   NOT NULL,
    weight_grams     BIGINT NOT NULL DEFAULT 0,
    position         BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX variants_sku_key ON variants (sku);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE stock (
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id) ON DELETE CASCADE,
    available    BIGINT NOT NULL CHECK (available >= 0),
    PRIMARY KEY (variant_id, warehouse_id)
);
