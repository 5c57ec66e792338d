-- A catalog import is applied a few products per transaction, so one seller's 50,000-row file never holds the
-- database's write lock for longer than a shopper's checkout can wait. The import row records how far it got
-- (in the same transaction as each step), when it last moved, when it finished, and the products it left as they
-- were because they changed between the check and their turn.
ALTER TABLE product_imports ADD COLUMN products_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE product_imports ADD COLUMN products_planned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE product_imports ADD COLUMN progress_at BIGINT NULL;
ALTER TABLE product_imports ADD COLUMN finished_at BIGINT NULL;
ALTER TABLE product_imports ADD COLUMN left_out TEXT NOT NULL DEFAULT '[]';
-- Files applied before this change were applied whole, in one transaction.
UPDATE product_imports SET finished_at = applied_at WHERE applied_at IS NOT NULL;
