-- Pictures taken off a product or replaced as a logo (catalog context, images): the image store's files are
-- deleted by a sweep once a day has passed and nothing shows the picture any more (the same picture may be on
-- another product, or uploaded again: keys are content hashes). A row goes when its picture is deleted or in use.
CREATE TABLE image_removals (
    image_key  TEXT   PRIMARY KEY,
    removed_at BIGINT NOT NULL
);
