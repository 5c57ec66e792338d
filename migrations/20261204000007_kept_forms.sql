-- What a visitor typed into a form that was sent back to them (a wrong field, a picture upload), until the page
-- they are sent to shows it (accounts context, beside the sessions). A product form may be far larger than a
-- session may grow, so the session holds only the id. Taken once; rows older than an hour are purged.
CREATE TABLE kept_forms (
    id         TEXT   PRIMARY KEY,
    data       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
