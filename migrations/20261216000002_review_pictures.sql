-- Pictures on reviews (reviews context; issue 22): up to four per review, added and removed by its author through
-- the portal's upload rules (checked, decoded and re-encoded by the image store; kept under their content hash,
-- like product pictures, so the sweep of removed pictures also counts these before deleting a file).
CREATE TABLE review_pictures (
    review_id  BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    image_key  TEXT   NOT NULL,
    ext        TEXT   NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    position   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, image_key)
);
CREATE INDEX review_pictures_key ON review_pictures (image_key);
