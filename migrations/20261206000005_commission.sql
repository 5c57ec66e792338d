-- Seller money, first part: the platform's commission, frozen on each order line at the sale (money context).
-- Portable DDL (docs/decisions/0002-one-sql-path.md).

-- A rate in basis points (1000 = 10 %) for the platform, one store or one category; the most specific one applies
-- (a store's, else its product's category's or that category's parent's, else the platform's: decision 0027).
-- `floor_amount` and `cap_amount` bound the commission of one order line, in minor units.
CREATE TABLE commission_rates (
    id           BIGINT PRIMARY KEY,
    scope        TEXT   NOT NULL CHECK (scope IN ('platform', 'seller', 'category')),
    scope_id     BIGINT NOT NULL DEFAULT 0,
    rate_bp      BIGINT NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    floor_amount BIGINT NULL CHECK (floor_amount IS NULL OR floor_amount >= 0),
    cap_amount   BIGINT NULL CHECK (cap_amount IS NULL OR cap_amount >= 0),
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX commission_rates_scope ON commission_rates (scope, scope_id);
INSERT INTO commission_rates (id, scope, scope_id, rate_bp, updated_at) VALUES (1, 'platform', 0, 1000, 0);

-- Frozen when the order is paid: the line's share of its order's discount (the shares add up to the discount), the
-- rate that applied and the commission on what the shopper paid for the line's goods (before tax added on top).
-- NULL rate: not paid yet. Changing a rate later never changes these.
ALTER TABLE order_lines ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN commission_bp BIGINT NULL;
ALTER TABLE order_lines ADD COLUMN commission BIGINT NOT NULL DEFAULT 0;
