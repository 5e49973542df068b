-- The event log (DESIGN.md §3). Append-only: triggers refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE events (
    position        BIGINT  PRIMARY KEY CHECK (position > 0),
    event_id        TEXT    NOT NULL UNIQUE CHECK (length(event_id) = 36),
    stream_id       TEXT    NOT NULL CHECK (octet_length(stream_id) BETWEEN 1 AND 200),
    stream_version  BIGINT  NOT NULL CHECK (stream_version > 0),
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

-- The single log-head row: every write transaction locks it (SELECT … FOR UPDATE) for its
-- whole length, so positions are assigned gaplessly and become visible in order.
CREATE TABLE log_head (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    position    BIGINT   NOT NULL,
    recorded_at TEXT     NOT NULL
);
INSERT INTO log_head (id, position, recorded_at) VALUES (1, 0, '');

CREATE FUNCTION liangye_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP;
END
$$;

CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION liangye_refuse_change();

CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION liangye_refuse_change();
