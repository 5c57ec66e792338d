-- An account erased at its owner's request (issue 22, decision 0041): the row stays, because the orders that
-- sellers and the tax records keep still name it, but its email, name and password are replaced and it can
-- never sign in again. `erased_at` says when; the receipt mail is the one thing sent to the address after it.
ALTER TABLE users ADD COLUMN erased_at BIGINT NULL;
