-- Two-factor sign-in (issue 22): an authenticator app's secret per account (kept while being set up, with
-- `enabled_at` NULL), the newest 30-second step a code was accepted for (a code works once), and ten single-use
-- recovery codes kept only as SHA-256 hashes.
CREATE TABLE two_factor (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT   NOT NULL,
    enabled_at BIGINT NULL,
    last_step  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    code_hash  TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
