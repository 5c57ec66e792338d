-- Passkeys (accounts context; issue 22, decision 0047): an optional second way to sign in. `passkey_users` gives
-- each account that holds one a random handle (what authenticators store as the user's id: never the account's
-- id or email). `credential_key` is the credential id in hex, unique across accounts; `credential` is the
-- verified public key with its signature counter, as webauthn-rs keeps it (JSON).
CREATE TABLE passkey_users (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle  TEXT   NOT NULL UNIQUE
);
CREATE TABLE passkeys (
    id             BIGINT PRIMARY KEY,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_key TEXT   NOT NULL UNIQUE,
    credential     TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT NULL
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
