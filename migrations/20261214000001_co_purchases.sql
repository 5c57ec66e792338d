-- "Customers also bought" (discovery context; issue 22, decision 0044): how many paid order groups held both
-- products. Each pair is kept both ways round, so a product's partners are one range of the primary key.
CREATE TABLE co_purchases (
    product_id BIGINT NOT NULL,
    other_id   BIGINT NOT NULL,
    orders     BIGINT NOT NULL CHECK (orders > 0),
    PRIMARY KEY (product_id, other_id)
);
-- A product page's partners, the most bought first, read off the index's end without sorting a popular
-- product's thousands of pairs.
CREATE INDEX co_purchases_top ON co_purchases (product_id, orders, other_id);

-- The order groups counted in `co_purchases`: a group is counted once, when it is paid, and the recount
-- (`bazaar also-bought`) starts again from the groups the orders' timelines say were paid.
CREATE TABLE co_purchase_groups (
    group_id   BIGINT PRIMARY KEY,
    counted_at BIGINT NOT NULL
);
