CREATE OR REPLACE FUNCTION bazaar_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE OR REPLACE TRIGGER seller_ledger_append_only BEFORE UPDATE OR DELETE ON seller_ledger
    FOR EACH ROW EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER seller_ledger_no_truncate BEFORE TRUNCATE ON seller_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER seller_transfer_items_append_only BEFORE UPDATE OR DELETE ON seller_transfer_items
    FOR EACH ROW EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER order_notes_append_only BEFORE UPDATE OR DELETE ON order_notes
    FOR EACH ROW EXECUTE FUNCTION bazaar_refuse_change();
CREATE OR REPLACE TRIGGER order_notes_no_truncate BEFORE TRUNCATE ON order_notes
    FOR EACH STATEMENT EXECUTE FUNCTION bazaar_refuse_change();
