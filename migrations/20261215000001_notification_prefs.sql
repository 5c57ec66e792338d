-- Notification preferences (notifications context; issue 22, decision 0045). One row per account that changed a
-- setting or was sent an optional mail; no row means the defaults (marketing off, review reminders and wishlist
-- price drops on, texts off). `unsubscribe_token` names the account in the one-click unsubscribe link of its
-- optional mail (RFC 8058); it only ever turns a kind of mail off, as an order's view token only shows an order.
CREATE TABLE notification_prefs (
    user_id           BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    marketing         BIGINT NOT NULL DEFAULT 0,
    review_reminders  BIGINT NOT NULL DEFAULT 1,
    price_drops       BIGINT NOT NULL DEFAULT 1,
    texts             BIGINT NOT NULL DEFAULT 0,
    phone             TEXT   NOT NULL DEFAULT '',
    unsubscribe_token TEXT   NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX notification_prefs_token ON notification_prefs (unsubscribe_token);

-- An optional message names its topic and account, so a setting turned off stops what is already queued; a text
-- message (SMS) goes through the text provider instead of the mailer, to the phone number in `to_addr`.
ALTER TABLE mail_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE mail_outbox ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN user_id BIGINT NULL;
ALTER TABLE mail_outbox ADD COLUMN unsubscribe TEXT NOT NULL DEFAULT '';
-- An erasure deletes the account's messages by account (its texts went to a phone number, not its address).
CREATE INDEX mail_outbox_user ON mail_outbox (user_id);
