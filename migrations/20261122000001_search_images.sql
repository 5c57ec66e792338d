-- Search outbox and typed attributes (portable DDL, docs/decisions/0002-one-sql-path.md).

-- Every catalog change that affects listings writes a row here in the same transaction; the indexer applies the
-- rows to the search index and deletes them. Rows are keyed by an increasing id so the indexer can delete exactly
-- what it applied even while new rows arrive.
CREATE TABLE search_outbox (
    id         BIGINT PRIMARY KEY,
    product_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Attributes a category's products carry, inherited by subcategories. `kind` decides validation and display:
-- choice and boolean attributes are facets in search; text and number ones appear in the specifications table.
CREATE TABLE attribute_definitions (
    id          BIGINT PRIMARY KEY,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'choice')),
    -- JSON array of allowed values for `choice`, '[]' otherwise.
    choices     TEXT   NOT NULL DEFAULT '[]',
    unit        TEXT   NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX attribute_definitions_key ON attribute_definitions (category_id, name);

-- Ordered product images. `image_key` is the content hash in the ImageStore; alt text is required (accessibility).
CREATE TABLE product_images (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    image_key  TEXT   NOT NULL,
    ext        TEXT   NOT NULL,
    alt        TEXT   NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    PRIMARY KEY (product_id, position)
);
