-- The RFC 6962 Merkle tree over the leaf hashes, in the stored-hashes layout of Go's
-- sumdb/tlog: every complete subtree's hash at its storage index, written in the same
-- transaction as the events, never changed. Roots and proofs at any size read O(log n) rows.
CREATE TABLE tree_hashes (
    idx   INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32)
);

CREATE TRIGGER tree_hashes_refuse_update BEFORE UPDATE ON tree_hashes
BEGIN
    SELECT RAISE(ABORT, 'tree hashes are append-only: UPDATE refused');
END;

CREATE TRIGGER tree_hashes_refuse_delete BEFORE DELETE ON tree_hashes
BEGIN
    SELECT RAISE(ABORT, 'tree hashes are append-only: DELETE refused');
END;

-- Signed checkpoints (C2SP signed notes), newest last.
CREATE TABLE checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size > 0),
    root_hash  TEXT    NOT NULL CHECK (length(root_hash) = 64),
    note       TEXT    NOT NULL,
    signed_at  TEXT    NOT NULL
);
