-- Per-customer promo limits count the account and the checkout email together (a "once per customer" code used
-- by an account cannot be used again by a guest checkout with the same email, nor the other way round). The email
-- is normalised: lower-case, without a plus-address tag. Earlier rows keep `customer` ('u:<id>' or 'e:<email>')
-- and are backfilled from it.
ALTER TABLE promo_redemptions ADD COLUMN user_id BIGINT NULL;
ALTER TABLE promo_redemptions ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE promo_redemptions SET email = substr(customer, 3) WHERE customer LIKE 'e:%';
UPDATE promo_redemptions SET user_id = CAST(substr(customer, 3) AS BIGINT) WHERE customer LIKE 'u:%';
UPDATE promo_redemptions SET email = (SELECT g.email FROM order_groups g WHERE g.id = promo_redemptions.group_id)
    WHERE email = '';
CREATE INDEX promo_redemptions_email ON promo_redemptions (promo_id, email);
CREATE INDEX promo_redemptions_user ON promo_redemptions (promo_id, user_id);
