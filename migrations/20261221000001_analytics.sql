-- What shoppers do (issue 23's analytics; decision 0054). The shop buffers events in memory and writes them in
-- batches (domain::analytics::Recorder): each batch adds the rows of its rarer events (searches, additions to the
-- cart, orders placed; page views are only counted) and, in the same transaction, its counts to the day rollups
-- the admin's analytics screen reads. Days are day numbers in the platform's time zone.
-- No IP address or user agent is stored: `visitor` is a keyed hash of them under the day's random salt, which is
-- deleted the day after, so one day's keys cannot be linked to another's; of the kept rows only an order placed
-- carries it (the paid step counts visitors by it). Browsers sending Sec-GPC or DNT are not
-- recorded at all. Raw events and visitor keys are deleted after ANALYTICS_KEEP_DAYS (default 90).
CREATE TABLE analytics_events (
    at        BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    -- search, add_to_cart, order_placed
    kind      TEXT   NOT NULL,
    page_type TEXT   NOT NULL,
    visitor   TEXT   NOT NULL,
    -- A search's normalised words, the variant added, an order placed's checkout number.
    subject   TEXT   NOT NULL,
    -- A search's result count.
    results   BIGINT NULL
);
CREATE INDEX analytics_events_day ON analytics_events (day);
CREATE INDEX analytics_events_kind_day ON analytics_events (kind, day);

-- Events per day, kind and page type (home, product, category, search, store, cart, checkout, order, account,
-- other; '' for kinds other than page views).
CREATE TABLE analytics_days (
    day       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    page_type TEXT   NOT NULL,
    events    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kind, page_type)
);

-- The funnel: which visitors reached each step on a day (visit, product_view, add_to_cart, checkout_started), and
-- how many. A visitor is counted once per step and day (the salt changes daily, so days cannot be joined).
CREATE TABLE analytics_visitors (
    day     BIGINT NOT NULL,
    step    TEXT   NOT NULL,
    visitor TEXT   NOT NULL,
    PRIMARY KEY (day, step, visitor)
);
CREATE TABLE analytics_funnel (
    day      BIGINT NOT NULL,
    step     TEXT   NOT NULL,
    visitors BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, step)
);

-- Searches per day and normalised words: how often, and how often they found nothing.
CREATE TABLE analytics_searches (
    day      BIGINT NOT NULL,
    query    TEXT   NOT NULL,
    searches BIGINT NOT NULL DEFAULT 0,
    empty    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query)
);

-- The day's random salt for visitor keys, shared by every instance of the shop; deleted the day after.
CREATE TABLE analytics_salts (
    day  BIGINT PRIMARY KEY,
    salt TEXT   NOT NULL
);
