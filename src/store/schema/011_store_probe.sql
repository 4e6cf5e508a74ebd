-- One row the writer rewrites to learn whether the disk takes writes again after a failure
-- (a full disk, I/O errors); /healthz reports "degraded" until it does.
CREATE TABLE store_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);
