-- Pictures an import names by address (Image Src, Variant Image), fetched by a background job after the import is
-- applied (catalog context, `catalog::picture_fetches`). One row per picture of a product; the same address in one
-- import is fetched once (its rows are claimed together). A row stays after it is done: the import page shows what
-- was fetched, what failed and why, and the failed ones can be tried again.
CREATE TABLE picture_fetches (
    id          BIGINT PRIMARY KEY,
    import_id   BIGINT NOT NULL,
    seller_id   BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    -- Where the picture goes among the product's pictures (the file's order).
    position    BIGINT NOT NULL,
    url         TEXT   NOT NULL,
    alt         TEXT   NOT NULL,
    -- The file's row that named it (the report and the page point there).
    file_row    BIGINT NOT NULL,
    -- 1: the file said the product is active; it is published when its first picture is in, never before.
    publish     BIGINT NOT NULL,
    -- waiting, fetching, fetched, failed.
    state       TEXT   NOT NULL,
    reason      TEXT   NOT NULL DEFAULT '',
    image_key   TEXT   NULL,
    claimed_at  BIGINT NULL,
    done_at     BIGINT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX picture_fetches_waiting ON picture_fetches (state, seller_id, id);
CREATE INDEX picture_fetches_import ON picture_fetches (import_id, state);
CREATE INDEX picture_fetches_product ON picture_fetches (product_id);

-- The address a picture was fetched from: an import of the same file again finds the picture by it instead of
-- fetching it again.
ALTER TABLE product_images ADD COLUMN source TEXT NOT NULL DEFAULT '';
