-- What a shopper must be told about their cart the next time they open it: a line taken out because its seller
-- stopped selling that variant (the line goes with the variant; the notice says so instead of it vanishing).
-- Shown once, then deleted.
CREATE TABLE cart_notices (
    id         BIGINT PRIMARY KEY,
    cart_id    BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    message    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cart_notices_cart ON cart_notices (cart_id, created_at);
