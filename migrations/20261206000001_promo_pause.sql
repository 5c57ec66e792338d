-- A store pauses and resumes its own codes (`/seller/promotions`): a paused code is refused at checkout and keeps
-- its uses. Portable DDL (docs/decisions/0002-one-sql-path.md).
ALTER TABLE promo_codes ADD COLUMN paused_at BIGINT NULL;
CREATE INDEX promo_codes_seller ON promo_codes (seller_id, created_at);
