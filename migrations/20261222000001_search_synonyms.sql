-- Search synonyms and index rebuilds (search context; issue 23, `/admin/search`).
--
-- A synonym rule says what else a word typed into the search box finds: `term` is one word as the index reads it
-- (lower case, accents folded), `alternatives` the words or phrases it also finds, one per line, in the same
-- form; `both_ways` makes each alternative (one word each) find the term and the others too. One rule per term.
-- `version` rises with each change, so a form sent on an old copy is refused.
CREATE TABLE search_synonyms (
    id           BIGINT PRIMARY KEY,
    term         TEXT   NOT NULL UNIQUE,
    alternatives TEXT   NOT NULL,
    both_ways    BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 1,
    changed_by   TEXT   NOT NULL,
    changed_at   BIGINT NOT NULL
);

-- An admin's "Rebuild the search index": requested here with an outbox row; the indexer marks the waiting row
-- started, rebuilds, and marks it finished with the number of products indexed (or failed). `unfinished` is 1 until
-- then and NULL after: its unique index lets one rebuild wait or run at a time, even when two admins ask at once
-- (NULLs are distinct on both databases).
CREATE TABLE search_rebuilds (
    id             BIGINT PRIMARY KEY,
    requested_by   TEXT   NOT NULL,
    requested_at   BIGINT NOT NULL,
    started_at     BIGINT NULL,
    finished_at    BIGINT NULL,
    documents      BIGINT NULL,
    failed         BIGINT NOT NULL DEFAULT 0,
    unfinished     BIGINT NULL UNIQUE
);
