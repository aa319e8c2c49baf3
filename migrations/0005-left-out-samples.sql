-- Schema version 5 (issue 15): the samples a run left out at the user's request ("leave out these samples and
-- continue"), as JSON [{sampleId, reason}], so the run says what it did not train on, and its resume leaves out
-- the same ones. Runs before this left out nothing.
ALTER TABLE runs ADD COLUMN left_out_json TEXT NOT NULL DEFAULT '[]';
