-- The audit log (platform context; issue 23): every admin and seller action that changes money, stock, status,
-- prices or permissions, written in the same transaction as the change. Append-only: no code path updates or
-- deletes a row, and triggers (domain/sql/append_only_*.sql) refuse UPDATE and DELETE on both databases.
-- `session` is the acting session's handle (a hash), never its id; `changes` is JSON: [{field, before, after}].
CREATE TABLE audit_log (
    id            BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_id      BIGINT NULL,
    actor_name    TEXT   NOT NULL,
    actor_role    TEXT   NOT NULL,
    session       TEXT   NULL,
    action        TEXT   NOT NULL,
    subject_kind  TEXT   NOT NULL,
    subject_id    TEXT   NOT NULL,
    subject_label TEXT   NOT NULL,
    store_id      BIGINT NULL,
    changes       TEXT   NOT NULL,
    reason        TEXT   NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at, id);
