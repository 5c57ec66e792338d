-- A product's tags (catalog context): words shoppers find it by (they are also in products.search_text) and its
-- seller filters the products list by. `tag_key` is the tag in lowercase, what filters and duplicates compare.
CREATE TABLE product_tags (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    tag        TEXT   NOT NULL,
    tag_key    TEXT   NOT NULL,
    PRIMARY KEY (product_id, position)
);
CREATE INDEX product_tags_key ON product_tags (tag_key, product_id);
