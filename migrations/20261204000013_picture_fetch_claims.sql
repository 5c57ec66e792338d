-- A claim finds the rows of one address of one import, and the hourly limit counts a store's recent claims:
-- without these each claim read every row of the import (measured: 20,000 pictures fetched at 54/s, the claims'
-- scans growing with the queue).
CREATE INDEX picture_fetches_address ON picture_fetches (import_id, url);
CREATE INDEX picture_fetches_claimed ON picture_fetches (seller_id, claimed_at);
