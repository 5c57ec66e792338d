-- The marketplace's sales per quarter hour (UTC) and currency, raised by the ledger's writers (money::sales) in the
-- same transaction as the entries, read by the admin dashboard (decision 0051). Quarter hours, not days: every
-- time zone's midnight falls on one, so the dashboard counts days in whichever zone the platform names, and a
-- change of zone restates nothing.
CREATE TABLE platform_sales (
    -- Quarter hours since 1970-01-01 00:00 UTC (unix milliseconds / 900000).
    quarter       BIGINT NOT NULL,
    currency      TEXT   NOT NULL,
    -- Paid checkouts (one per order group, whatever number of stores it bought from), and what they paid.
    orders        BIGINT NOT NULL DEFAULT 0,
    gmv           BIGINT NOT NULL DEFAULT 0,
    -- Refunds, on the quarter of the sale they refund (a refund restates its sale's day).
    refunds       BIGINT NOT NULL DEFAULT 0,
    refund_count  BIGINT NOT NULL DEFAULT 0,
    -- The order group's id modulo 16: checkouts paid at once update different rows, so none waits for another's
    -- commit (the dashboard sums the shards).
    shard         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (quarter, currency, shard)
);

-- What the ledger already holds: each group's sales on the quarter its first sale entry was booked in, and each
-- refund on its group's.
INSERT INTO platform_sales (quarter, currency, shard, orders, gmv)
SELECT q, currency, shard, COUNT(*), SUM(paid) FROM (
    SELECT MIN(e.created_at) / 900000 AS q, e.currency AS currency, o.group_id % 16 AS shard, SUM(e.amount) AS paid
    FROM seller_ledger e JOIN orders o ON o.id = e.order_id
    WHERE e.kind = 'sale' GROUP BY o.group_id, e.currency
) groups_paid WHERE 1 = 1 GROUP BY q, currency, shard;

INSERT INTO platform_sales (quarter, currency, shard, refunds, refund_count)
SELECT q, currency, shard, SUM(amount), COUNT(*) FROM (
    SELECT COALESCE((SELECT MIN(s.created_at) FROM seller_ledger s JOIN orders so ON so.id = s.order_id
                     WHERE s.kind = 'sale' AND so.group_id = o.group_id), r.created_at) / 900000 AS q,
           r.currency AS currency, o.group_id % 16 AS shard, -r.amount AS amount
    FROM seller_ledger r JOIN orders o ON o.id = r.order_id WHERE r.kind = 'refund'
) refunded WHERE 1 = 1 GROUP BY q, currency, shard
ON CONFLICT (quarter, currency, shard) DO UPDATE SET refunds = platform_sales.refunds + excluded.refunds,
    refund_count = platform_sales.refund_count + excluded.refund_count;

-- New accounts over a period are counted along this index.
CREATE INDEX users_created ON users (created_at);
