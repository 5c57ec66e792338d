-- Becoming a seller (portable DDL, docs/decisions/0002-one-sql-path.md). Owned by the sellers context, which also
-- owns `sellers` and `warehouses` from here on (docs/architecture.md).
--
-- An application keeps what the applicant typed and the admin's decision; approval creates the store from it.
-- A rejected applicant may apply again: a new row, so the history of decisions stays.
CREATE TABLE seller_applications (
    id            BIGINT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store_name    TEXT   NOT NULL,
    slug          TEXT   NOT NULL,
    description   TEXT   NOT NULL DEFAULT '',
    support_email TEXT   NOT NULL,
    country       TEXT   NOT NULL,
    return_days   BIGINT NOT NULL CHECK (return_days >= 0),
    return_policy TEXT   NOT NULL DEFAULT '',
    status        TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason        TEXT   NOT NULL DEFAULT '',
    decided_by    BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    decided_at    BIGINT NULL,
    seller_id     BIGINT NULL REFERENCES sellers (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL
);
-- The admins' queue, oldest first, paged by (created_at, id).
CREATE INDEX seller_applications_queue ON seller_applications (status, created_at, id);
CREATE INDEX seller_applications_user ON seller_applications (user_id, created_at);
-- One application under review per account, and one per store address: partial unique indexes (both databases).
CREATE UNIQUE INDEX seller_applications_one_pending ON seller_applications (user_id) WHERE status = 'pending';
CREATE UNIQUE INDEX seller_applications_pending_slug ON seller_applications (slug) WHERE status = 'pending';

-- What a store shows shoppers besides its name: how to reach it and its return policy.
ALTER TABLE sellers ADD COLUMN support_email TEXT NOT NULL DEFAULT '';
ALTER TABLE sellers ADD COLUMN country TEXT NOT NULL DEFAULT 'US';
ALTER TABLE sellers ADD COLUMN return_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE sellers ADD COLUMN return_policy TEXT NOT NULL DEFAULT '';
-- Units at or below which a variant counts as low on stock, unless the variant sets its own.
ALTER TABLE sellers ADD COLUMN low_stock_default BIGINT NOT NULL DEFAULT 5;
ALTER TABLE variants ADD COLUMN low_stock_threshold BIGINT NULL;
