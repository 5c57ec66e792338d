-- The payment provider's fee (issue 21): what it charges the platform per payment (basis points of the amount plus
-- a fixed part, e.g. 2.9 % + 0.30) and whether the stores bear it (each store order's share, booked at the sale as
-- a `processing_fee` entry) or the platform does (nothing booked). The platform bears it unless set.
ALTER TABLE money_policy ADD COLUMN fee_bp BIGINT NOT NULL DEFAULT 0 CHECK (fee_bp BETWEEN 0 AND 2000);
ALTER TABLE money_policy ADD COLUMN fee_fixed BIGINT NOT NULL DEFAULT 0 CHECK (fee_fixed BETWEEN 0 AND 10000);
ALTER TABLE money_policy ADD COLUMN seller_pays_fee BIGINT NOT NULL DEFAULT 0 CHECK (seller_pays_fee IN (0, 1));
