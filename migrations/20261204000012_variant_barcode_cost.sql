-- A variant's barcode (GTIN, UPC, EAN, ISBN: printable text) and what it costs its seller, in minor units of the
-- variant's currency (catalog context). The cost is the seller's alone: no shopper page or API reads it.
ALTER TABLE variants ADD COLUMN barcode TEXT NOT NULL DEFAULT '';
ALTER TABLE variants ADD COLUMN cost BIGINT NULL;
