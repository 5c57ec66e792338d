-- Store ratings (reviews context; issue 22, decision 0046): one per seller order, by its buyer, once the order is
-- delivered and for 100 days after, edited by its author. The store's aggregate (sum and count of stars) is kept on
-- `sellers` in the rating's transaction; search filters stores by it without re-indexing their products.
CREATE TABLE store_ratings (
    order_id   BIGINT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    seller_id  BIGINT NOT NULL REFERENCES sellers (id),
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stars      BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment    TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX store_ratings_seller ON store_ratings (seller_id, created_at);
CREATE INDEX store_ratings_user ON store_ratings (user_id);
ALTER TABLE sellers ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sellers ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
