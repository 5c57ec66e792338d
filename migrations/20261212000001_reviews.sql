-- Reviews (reviews context): a shopper's stars and words on a product they received, one per order line; the
-- store's one public reply; "helpful" votes (one per account) and reports (one per account) that send a review to
-- the admins' queue. The product's aggregate (`products.rating_sum`, `rating_count`) stays the catalog's, set
-- from the visible reviews by the `review_product` workflow.
CREATE TABLE reviews (
    id            BIGINT PRIMARY KEY,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seller_id     BIGINT NOT NULL,
    -- The order line reviewed. NULL only for the seeded demo's reviews (`demo` = 1), which no order backs.
    order_id      BIGINT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id    BIGINT NULL,
    user_id       BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    -- What the page shows as the author ("Dana K."), taken from the account's name when written.
    author_name   TEXT   NOT NULL,
    variant_title TEXT   NOT NULL DEFAULT '',
    stars         BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    title         TEXT   NOT NULL,
    body          TEXT   NOT NULL,
    demo          BIGINT NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    helpful       BIGINT NOT NULL DEFAULT 0 CHECK (helpful >= 0),
    -- Reports not yet decided by an admin; the queue is the visible reviews with some.
    open_reports  BIGINT NOT NULL DEFAULT 0 CHECK (open_reports >= 0),
    hidden_at     BIGINT NULL,
    hidden_reason TEXT   NULL CHECK (hidden_reason IN ('spam', 'offensive', 'personal_information',
                                                      'not_about_product', 'conflict_of_interest', 'illegal')),
    reply         TEXT   NULL,
    replied_at    BIGINT NULL,
    created_at    BIGINT NOT NULL,
    edited_at     BIGINT NULL,
    CHECK ((order_id IS NULL) = (demo = 1))
);
CREATE UNIQUE INDEX reviews_order_line ON reviews (order_id, variant_id);
CREATE INDEX reviews_product ON reviews (product_id, created_at);
CREATE INDEX reviews_seller ON reviews (seller_id, created_at);
CREATE INDEX reviews_user ON reviews (user_id);
CREATE INDEX reviews_reported ON reviews (open_reports, created_at);

CREATE TABLE review_votes (
    review_id  BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);

CREATE TABLE review_reports (
    review_id   BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT   NOT NULL CHECK (reason IN ('spam', 'offensive', 'personal_information', 'not_about_product',
                                                  'conflict_of_interest', 'illegal')),
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT NULL,
    PRIMARY KEY (review_id, user_id)
);

-- Ratings written before reviews existed (the seeded demo's numbers) have no review behind them: a product's
-- rating is now what its visible reviews say, so they start from none, and the index hears of each such product
-- (negative ids: the outbox's own ids are positive, so these never collide).
INSERT INTO search_outbox (id, product_id, created_at) SELECT -id, id, 0 FROM products WHERE rating_count > 0;
UPDATE products SET rating_sum = 0, rating_count = 0 WHERE rating_count > 0;
