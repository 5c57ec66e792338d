-- Days in the store's time zone (issue 21): the sales dashboard's days are the store's own (an IANA name such as
-- `Europe/Berlin`; `UTC` until the seller chooses). Rollup rows already written keep the day they were counted in.
ALTER TABLE sellers ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- The countries the platform takes stores from (ISO 3166 codes separated by commas; empty: every country the shop
-- ships to). With Stripe Connect these are the countries its accounts can be opened in for the platform's region.
ALTER TABLE money_policy ADD COLUMN seller_countries TEXT NOT NULL DEFAULT '';
-- Refunds made at the provider (its dashboard) that no refund of ours made, as the shop spread them over the
-- stores: the payment's refunded total is our refunds plus these, or what the provider reported if more.
ALTER TABLE payments ADD COLUMN refunded_elsewhere BIGINT NOT NULL DEFAULT 0;
