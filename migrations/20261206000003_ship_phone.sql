-- The phone number a shopper may give at checkout, for the carrier: the store sees it with the shipping address
-- (never the email). Portable DDL (docs/decisions/0002-one-sql-path.md).
ALTER TABLE order_groups ADD COLUMN ship_phone TEXT NOT NULL DEFAULT '';
