-- A store's logo: the key of a picture in the image store (re-encoded, thumbnails in WebP), or none.
ALTER TABLE sellers ADD COLUMN logo_key TEXT NULL;
