-- Stripe (portable DDL, docs/decisions/0002-one-sql-path.md).

-- The provider's id of the money movement behind a hosted session (Stripe: the PaymentIntent of a Checkout
-- Session), learnt when the payment succeeds; refund events name it rather than the session.
ALTER TABLE payments ADD COLUMN provider_payment TEXT NULL;
CREATE INDEX payments_provider_payment ON payments (provider, provider_payment);

-- An event that arrives before the payment it is about can be matched (a refund reported before the success,
-- webhooks are not ordered) waits here with `applied` = 0, keyed by what it names (`subject`), and is applied
-- when the success names the same payment.
ALTER TABLE payment_events ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_events ADD COLUMN applied BIGINT NOT NULL DEFAULT 1;
CREATE INDEX payment_events_waiting ON payment_events (provider, subject, applied);
