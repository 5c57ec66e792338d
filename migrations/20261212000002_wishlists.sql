-- Wishlists (wishlist context): products kept for later. A guest's list is named by its id in the session; an
-- account has one list, into which a guest's list joins at sign-in (like the cart). The price when a product was
-- kept lets the list say that it dropped since.
CREATE TABLE wishlists (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX wishlists_user ON wishlists (user_id);

CREATE TABLE wishlist_items (
    wishlist_id BIGINT NOT NULL REFERENCES wishlists (id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    saved_price BIGINT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (wishlist_id, product_id)
);
CREATE INDEX wishlist_items_product ON wishlist_items (product_id);
