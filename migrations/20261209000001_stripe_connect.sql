-- Stripe Connect (Express) payouts (issue 21, decision 0031): each store's connected account, the transfers the
-- sweep makes to it (separate charges and transfers) and the reversals that take a refund back from a transfer,
-- the bank payouts Stripe reports failed, and the lease that lets one instance at a time run the sweep.

CREATE TABLE seller_stripe_accounts (
    seller_id          BIGINT PRIMARY KEY REFERENCES sellers (id),
    -- Stripe's `acct_…`.
    account_id         TEXT   NOT NULL,
    details_submitted  BIGINT NOT NULL DEFAULT 0,
    charges_enabled    BIGINT NOT NULL DEFAULT 0,
    payouts_enabled    BIGINT NOT NULL DEFAULT 0,
    -- When Stripe made the newest report applied (ms): an older report that arrives late changes nothing.
    reported_at        BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_stripe_accounts_account ON seller_stripe_accounts (account_id);

-- A Stripe transfer is made in three steps: the row and its claims first ('sending': the entries are claimed),
-- then the call to Stripe under the row's own key, then 'sent' with Stripe's id, its items and the ledger entry (or
-- 'failed', its claims released). A row left 'sending' by a crash is sent again under the same key.
ALTER TABLE seller_transfers ADD COLUMN status TEXT NOT NULL DEFAULT 'sent';
ALTER TABLE seller_transfers ADD COLUMN provider_ref TEXT NULL;
ALTER TABLE seller_transfers ADD COLUMN failure TEXT NOT NULL DEFAULT '';
-- Stripe's `transfer_group` (the order group's number) and the PaymentIntent whose charge is the transfer's
-- `source_transaction`.
ALTER TABLE seller_transfers ADD COLUMN transfer_group TEXT NULL;
ALTER TABLE seller_transfers ADD COLUMN source_payment TEXT NULL;
CREATE INDEX seller_transfers_status ON seller_transfers (status);

-- Money taken back from a transfer (a refund or a lost dispute after the store was paid). The entries it settles
-- are items of the transfer it reverses, marked with the reversal.
CREATE TABLE seller_transfer_reversals (
    id            BIGINT PRIMARY KEY,
    transfer_id   BIGINT NOT NULL REFERENCES seller_transfers (id),
    seller_id     BIGINT NOT NULL REFERENCES sellers (id),
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    provider_ref  TEXT   NULL,
    failure       TEXT   NOT NULL DEFAULT '',
    -- The first entry it settles: a reversal refused once is not asked again (the store owes it instead).
    cause_entry   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_transfer_reversals_cause ON seller_transfer_reversals (cause_entry);
CREATE INDEX seller_transfer_reversals_status ON seller_transfer_reversals (status);
ALTER TABLE seller_transfer_items ADD COLUMN reversal_id BIGINT NULL;

-- Entries a move has claimed while Stripe is asked (items are append-only: only moves made have items). Made: the
-- claims become items; refused: the claims are released and the entries are due again.
CREATE TABLE seller_move_claims (
    entry_id     BIGINT PRIMARY KEY REFERENCES seller_ledger (id),
    transfer_id  BIGINT NOT NULL,
    reversal_id  BIGINT NULL
);
CREATE INDEX seller_move_claims_transfer ON seller_move_claims (transfer_id);
CREATE INDEX seller_move_claims_reversal ON seller_move_claims (reversal_id);

-- Bank payouts from a store's Stripe balance that failed (`payout.failed`), shown to the store and the admins.
CREATE TABLE seller_payout_failures (
    id          BIGINT PRIMARY KEY,
    seller_id   BIGINT NOT NULL REFERENCES sellers (id),
    payout_id   TEXT   NOT NULL,
    amount      BIGINT NOT NULL,
    currency    TEXT   NOT NULL,
    message     TEXT   NOT NULL,
    failed_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_payout_failures_payout ON seller_payout_failures (payout_id);
CREATE INDEX seller_payout_failures_seller ON seller_payout_failures (seller_id, failed_at);

-- Work that one instance at a time does once per period: whoever moves `until` past now holds it.
CREATE TABLE work_leases (
    name      TEXT   PRIMARY KEY,
    holder    TEXT   NOT NULL,
    until     BIGINT NOT NULL,
    last_run  BIGINT NOT NULL
);
INSERT INTO work_leases (name, holder, until, last_run) VALUES ('stripe_transfers', '', 0, 0);
