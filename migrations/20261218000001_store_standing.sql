-- A store's standing as admins set it (issue 23): when its payouts were held (no transfer leaves for it until
-- released; a suspended store's are held too), and the statement of reasons its seller reads while it is
-- suspended (the ground and the admin's words; the audit log keeps every one).
-- The audit log is read per store on its admin page.
ALTER TABLE sellers ADD COLUMN transfers_held_at BIGINT NULL;
ALTER TABLE sellers ADD COLUMN suspension_note TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_store ON audit_log (store_id, id);
