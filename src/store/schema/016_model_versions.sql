-- 016_model_versions.sql: every triage model version (the shipped one and each retrain), with
-- its scores and those of the model that was live when it was scored, on the same held-back
-- slice of the corrections. One live version per kind; the files live beside the database
-- (<db>.models/), the shipped ones in the models folder.
CREATE TABLE triage_model (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('intent', 'sentiment')),
    source        TEXT NOT NULL CHECK (source IN ('shipped', 'retrain')),
    status        TEXT NOT NULL CHECK (status IN ('live', 'previous', 'candidate', 'rejected')),
    path          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    activated_at  INTEGER,
    trained_on    INTEGER NOT NULL DEFAULT 0, -- corrections learnt from (shipped sets besides)
    heldout       INTEGER NOT NULL DEFAULT 0, -- held-back corrections scored on
    compared_with INTEGER,                    -- the live version it was scored against
    macro_f1      REAL,                       -- on the held-back slice; NULL: never scored
    accuracy      REAL,
    live_macro_f1 REAL,                       -- the live version's, on the same slice
    live_accuracy REAL
);
CREATE UNIQUE INDEX triage_model_live ON triage_model(kind) WHERE status = 'live';
CREATE INDEX triage_model_kind ON triage_model(kind, id);
-- Per-class scores: side 'candidate' is the version's own, 'live' the compared live one's.
CREATE TABLE triage_model_score (
    model_id   INTEGER NOT NULL REFERENCES triage_model(id) ON DELETE CASCADE,
    side       TEXT NOT NULL CHECK (side IN ('candidate', 'live')),
    label      TEXT NOT NULL,
    precision  REAL NOT NULL,
    recall     REAL NOT NULL,
    f1         REAL NOT NULL,
    support    INTEGER NOT NULL,
    PRIMARY KEY (model_id, side, label)
);
