-- "Notify me" on a sold-out variant (inventory context; issue 22, decision 0043): one open request per variant and
-- address. A guest's address is confirmed by a mailed link first (`token_hash` until then); a signed-in shopper's
-- confirmed address counts at once. When the variant can be bought again one email goes and the row is deleted.
CREATE TABLE back_in_stock (
    id           BIGINT PRIMARY KEY,
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    user_id      BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT   NOT NULL,
    token_hash   TEXT   NULL,
    confirmed_at BIGINT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX back_in_stock_once ON back_in_stock (variant_id, email);
CREATE INDEX back_in_stock_token ON back_in_stock (token_hash);
CREATE INDEX back_in_stock_waiting ON back_in_stock (confirmed_at, variant_id);
