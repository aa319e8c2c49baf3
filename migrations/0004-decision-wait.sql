-- Schema version 4 (issue 15): a run started from the app waits at its decision for the user's answer.
-- confirm_decision: it asks; decision_confirmed: the user answered (a resume from the app asks again only
-- when not); waiting_ms: how long it waited, which its duration_ms includes and its compute time does not.
ALTER TABLE runs ADD COLUMN confirm_decision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN decision_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN waiting_ms INTEGER NOT NULL DEFAULT 0;
