-- As-of support. recordedAt → position: the last event with recorded_at <= t is one index
-- seek (recorded_at never decreases along positions, and its fixed text format sorts as time;
-- COLLATE "C" so that text order is byte order whatever the database's collation).
CREATE INDEX events_recorded_at ON events (recorded_at COLLATE "C", position);

-- Snapshots of the projections, each the state after the event at `position`, so start-up
-- and as-of replay fold only the tail after one. A body is cut into `chunks` rows (numbered
-- from 0), so that neither saving nor loading one ever holds more than a chunk of text; a
-- snapshot is complete when all its chunks are there. A cache: deleting rows loses nothing
-- but time. `leaf_hash` is that event's, copied at save time, so a snapshot is only used with
-- the log it was taken from. Bodies of other formats than a build's own are ignored by it.
CREATE TABLE snapshots (
    format_version  INTEGER NOT NULL CHECK (format_version > 0),
    position        BIGINT  NOT NULL REFERENCES events (position),
    chunk           INTEGER NOT NULL CHECK (chunk >= 0),
    chunks          INTEGER NOT NULL CHECK (chunk < chunks),
    leaf_hash       TEXT    NOT NULL CHECK (length(leaf_hash) = 64),
    created_at      TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    PRIMARY KEY (format_version, position, chunk)
);
