-- Schema version 8 (issue 33): how each candidate trained, as JSON {optimizer, learningRate, momentum,
-- weightDecay, schedule, stepShare?}: OGM-GE trains with its authors' recipe unless the run shares one.
-- Runs before this trained every method on the run's own settings (config_json says which); NULL.
ALTER TABLE candidates ADD COLUMN recipe_json TEXT;
