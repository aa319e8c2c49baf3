-- Schema version 6 (issue 27): the model folder a run claimed when it started (--out, or its own folder beside
-- the database), so that `runs resume` without --out saves there too. Runs before this saved into their own
-- folder in the app data folder when resumed; NULL keeps that.
ALTER TABLE runs ADD COLUMN model_dir TEXT;
