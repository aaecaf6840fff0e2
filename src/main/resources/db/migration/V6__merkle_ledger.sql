-- The audit ledger, second form (replacing the hash chain of V3; V7 moves its entries here and drops
-- it): an RFC 9162 Merkle log (see health.ward.ledger.Merkle), stored one row per
-- group commit. A batch holds the entries with indexes [first_idx, first_idx + entry_count):
--
--   entries: for each entry in index order, uint32 big-endian length || entry bytes
--   hashes:  for each entry j in index order, the hashes of the perfect subtrees that leaf j
--            completes, level 0 (the leaf hash) first: Merkle.completedLevels(j) hashes of 32 bytes.
--            The hash of subtree (level, k) is therefore in the batch holding leaf ((k+1) << level) - 1,
--            at hash offset completedNodes(j) - completedNodes(first_idx) + level.
--
-- Proofs and roots read O(log n) hashes by offset; storage "external" keeps the values uncompressed
-- so such a read fetches only the TOAST chunk it needs. Entries hold keyed pseudonyms and sealed
-- details, never plaintext PHI. recorded_at is the writer's clock at commit, for finding entries by
-- time; it is not covered by the hashes (each entry carries its own time).
create table ledger_batch (
  first_idx   bigint      primary key check (first_idx >= 0),
  entry_count integer     not null check (entry_count > 0),
  entries     bytea       not null,
  hashes      bytea       not null check (length(hashes) % 32 = 0),
  recorded_at timestamptz not null
);
alter table ledger_batch alter column entries set storage external;
alter table ledger_batch alter column hashes set storage external;
-- Keep batches of up to ~8 kB (a few dozen entries) in the row itself: no TOAST chunks to write.
alter table ledger_batch set (toast_tuple_target = 8160);
create index ledger_batch_recorded_at on ledger_batch using brin (recorded_at);

-- Signed checkpoints (C2SP signed-note / tlog-checkpoint text) of the tree at tree_size.
create table ledger_checkpoint (
  tree_size   bigint      primary key check (tree_size >= 0),
  note        text        not null,
  issued_at   timestamptz not null
);

-- Append-only: rows are never changed or removed through SQL. A superuser can still disable these
-- triggers; the Merkle tree and the signed checkpoints held off-host are what catch that.
create function ledger_reject_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end
$$;

create trigger ledger_batch_append_only
  before update or delete on ledger_batch
  for each row execute function ledger_reject_change();
create trigger ledger_batch_no_truncate
  before truncate on ledger_batch
  for each statement execute function ledger_reject_change();
create trigger ledger_checkpoint_append_only
  before update or delete on ledger_checkpoint
  for each row execute function ledger_reject_change();
create trigger ledger_checkpoint_no_truncate
  before truncate on ledger_checkpoint
  for each statement execute function ledger_reject_change();
