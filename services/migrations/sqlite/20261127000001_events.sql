-- The event log (DESIGN.md §3). Append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE events (
    position        INTEGER PRIMARY KEY CHECK (position > 0),
    event_id        TEXT    NOT NULL UNIQUE CHECK (length(event_id) = 36),
    stream_id       TEXT    NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
    stream_version  INTEGER NOT NULL CHECK (stream_version > 0),
    event_type      TEXT    NOT NULL CHECK (length(event_type) > 0),
    schema_version  INTEGER NOT NULL CHECK (schema_version >= 0),
    recorded_at     TEXT    NOT NULL,
    command_id      TEXT,
    actor           TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    canonical       TEXT    NOT NULL,
    leaf_hash       TEXT    NOT NULL CHECK (length(leaf_hash) = 64),
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_command_id ON events (command_id) WHERE command_id IS NOT NULL;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;
