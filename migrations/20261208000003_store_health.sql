-- A store's health on its dashboard (issue 21): paid orders that ended cancelled, and return requests, per UTC day,
-- raised where they happen (orders::lifecycle, workflows::return_order) like the rest of the day's rollup. Days
-- before this migration count none.
ALTER TABLE seller_daily_sales ADD COLUMN cancelled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE seller_daily_sales ADD COLUMN returns BIGINT NOT NULL DEFAULT 0;
