-- Every price a variant had and when it began (catalog context; issue 22, decision 0042). A product's page shows
-- a "was" price only when the price now is below the lowest of the 30 days before it began (EU Omnibus
-- directive, art. 6a), never against a compare-at price the seller typed. Today's prices start the history at
-- their product's creation.
CREATE TABLE variant_prices (
    variant_id BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    price      BIGINT NOT NULL CHECK (price >= 0),
    started_at BIGINT NOT NULL,
    PRIMARY KEY (variant_id, started_at)
);

INSERT INTO variant_prices (variant_id, price, started_at)
SELECT v.id, v.price, p.created_at FROM variants v JOIN products p ON p.id = v.product_id;
