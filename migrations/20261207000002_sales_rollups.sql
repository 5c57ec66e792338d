-- A store's sales per UTC day, and each product's, kept by the ledger's writers (money::sales) in the same
-- transaction as the entries: the sales dashboard reads these, never the orders (decision 0029).
CREATE TABLE seller_daily_sales (
    seller_id     BIGINT NOT NULL REFERENCES sellers (id),
    -- Days since 1970-01-01 (UTC).
    day           BIGINT NOT NULL,
    orders        BIGINT NOT NULL DEFAULT 0,
    units         BIGINT NOT NULL DEFAULT 0,
    -- What shoppers paid for the store's orders paid that day (the sale entries), in minor units.
    revenue       BIGINT NOT NULL DEFAULT 0,
    -- What was refunded that day, and how many refunds.
    refunds       BIGINT NOT NULL DEFAULT 0,
    refund_count  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (seller_id, day)
);

CREATE TABLE product_daily_sales (
    seller_id   BIGINT NOT NULL REFERENCES sellers (id),
    day         BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    units       BIGINT NOT NULL DEFAULT 0,
    -- The goods' price after the line's share of the discount.
    revenue     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (seller_id, day, product_id)
);
