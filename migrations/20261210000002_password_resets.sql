-- Password reset links (issue 22): single use, an hour long, kept only as the SHA-256 of their random token.
CREATE TABLE password_resets (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
