-- The RFC 6962 Merkle tree over the leaf hashes, in the stored-hashes layout of Go's
-- sumdb/tlog: every complete subtree's hash at its storage index, written in the same
-- transaction as the events, never changed. Roots and proofs at any size read O(log n) rows.
CREATE TABLE tree_hashes (
    idx   BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash  BYTEA  NOT NULL CHECK (octet_length(hash) = 32)
);

CREATE FUNCTION liangye_refuse_tree_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tree hashes are append-only: % refused', TG_OP;
END
$$;

CREATE TRIGGER tree_hashes_refuse_change BEFORE UPDATE OR DELETE ON tree_hashes
    FOR EACH ROW EXECUTE FUNCTION liangye_refuse_tree_change();

-- Signed checkpoints (C2SP signed notes), newest last.
CREATE TABLE checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size > 0),
    root_hash  TEXT   NOT NULL CHECK (length(root_hash) = 64),
    note       TEXT   NOT NULL,
    signed_at  TEXT   NOT NULL
);
