-- Email verification (issue 22): an account's address is confirmed by a single-use link (24 hours, kept only as
-- the SHA-256 of its random token). Accounts made before verification existed count as confirmed: their
-- addresses already received orders' mail, and nobody can open a link sent before there were links.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT NULL;
UPDATE users SET email_verified_at = created_at;

CREATE TABLE email_verifications (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address the link confirms: a link sent before an email change confirms nothing after it.
    email      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);
