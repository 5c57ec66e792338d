-- A change of an account's email (issue 22): asked with the current password, it takes effect only when the link
-- sent to the new address is opened (single use, 24 hours, kept only as the SHA-256 of its random token).
CREATE TABLE email_changes (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NULL
);
CREATE INDEX email_changes_user ON email_changes (user_id, created_at);
