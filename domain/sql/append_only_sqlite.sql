CREATE TRIGGER IF NOT EXISTS seller_ledger_no_update BEFORE UPDATE ON seller_ledger
BEGIN SELECT RAISE(ABORT, 'seller_ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS seller_ledger_no_delete BEFORE DELETE ON seller_ledger
BEGIN SELECT RAISE(ABORT, 'seller_ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS seller_transfer_items_no_update BEFORE UPDATE ON seller_transfer_items
BEGIN SELECT RAISE(ABORT, 'seller_transfer_items is append-only'); END;
CREATE TRIGGER IF NOT EXISTS seller_transfer_items_no_delete BEFORE DELETE ON seller_transfer_items
BEGIN SELECT RAISE(ABORT, 'seller_transfer_items is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS order_notes_no_update BEFORE UPDATE ON order_notes
BEGIN SELECT RAISE(ABORT, 'order_notes is append-only'); END;
CREATE TRIGGER IF NOT EXISTS order_notes_no_delete BEFORE DELETE ON order_notes
BEGIN SELECT RAISE(ABORT, 'order_notes is append-only'); END;
