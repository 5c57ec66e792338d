-- Product page views and the orders that bought each product, per product and UTC day (issue 21's conversion):
-- views are counted in memory by the shop and added here every few seconds (money::views); orders by the sale's
-- rollup (money::rollups). Days before this migration have no views or orders.
ALTER TABLE product_daily_sales ADD COLUMN orders BIGINT NOT NULL DEFAULT 0;
ALTER TABLE product_daily_sales ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
