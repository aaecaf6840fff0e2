-- The audit ledger: one row per entry, contiguous indexes from 0, each row chained to the one before
-- it (see health.ward.ledger.HashChain). Entries hold keyed pseudonyms, never plaintext PHI.
-- recorded_at is the writer's clock at commit, for operators; it is not covered by the hashes, so
-- anything that must be provable (the event's own time) belongs inside entry.
create table ledger_entry (
  idx         bigint      primary key check (idx >= 0),
  entry       bytea       not null,
  leaf_hash   bytea       not null check (length(leaf_hash) = 32),
  chain_hash  bytea       not null check (length(chain_hash) = 32),
  recorded_at timestamptz not null
);

-- Append-only: rows are never changed or removed through SQL. A superuser can still disable this
-- trigger; the chain (and signed checkpoints) are what catch that.
create function ledger_entry_reject_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger_entry is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end
$$;

create trigger ledger_entry_append_only
  before update or delete on ledger_entry
  for each row execute function ledger_entry_reject_change();

create trigger ledger_entry_no_truncate
  before truncate on ledger_entry
  for each statement execute function ledger_entry_reject_change();
