-- Carts (portable DDL, docs/decisions/0002-one-sql-path.md). A guest's cart id is kept in its session, which the
-- session store persists, so the cart survives server restarts; a signed-in shopper has exactly one cart.
CREATE TABLE carts (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Unique among non-null values on both databases: one cart per user, any number of guest carts.
CREATE UNIQUE INDEX carts_user_key ON carts (user_id);

-- `price_at_add` is the unit price when the line was added or last changed, so the cart can say when the price
-- moved since; what is charged always comes from `variants.price` at checkout.
CREATE TABLE cart_lines (
    cart_id      BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity     BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    price_at_add BIGINT NOT NULL,
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (cart_id, variant_id)
);
