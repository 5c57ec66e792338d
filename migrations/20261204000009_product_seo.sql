-- What search engines show for a product (catalog context): its page's title and meta description, as a Shopify
-- export carries them (issue 27). Empty: the product's own title, and no meta description.
ALTER TABLE products ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
