-- Schema version 7 (issue 33): how the decision trick's joint classifier chose its epoch, as JSON
-- {split: "train-holdout", share, epochs: [per seed]}. Runs before this stopped it on the validation split
-- it is compared on; NULL says so.
ALTER TABLE decisions ADD COLUMN selection_json TEXT;
