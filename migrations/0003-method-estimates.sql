-- Schema version 3: what a method estimated while training, per seed (G-Blending's loss weight of each
-- head, issue 12), as JSON [{seed, values: [{label, value}]}]. Older runs have none.
ALTER TABLE candidates ADD COLUMN estimated_json TEXT;
