-- Optimistic concurrency for the seller's product form (docs/decisions/0016): every save names the version it
-- was read at and moves it on; a save from an older version is refused with what changed.
ALTER TABLE products ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- The seller's index sorts its own products by last change.
CREATE INDEX products_seller_updated ON products (seller_id, updated_at, id);
