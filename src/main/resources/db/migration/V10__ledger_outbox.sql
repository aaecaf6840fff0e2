-- Audit entries staged by a process that does not write the ledger (a `ward user` or `ward token`
-- command while `ward serve` runs): committed in the same transaction as the change they record,
-- then appended to the ledger by the serving process (or the next one to start) and deleted.
-- Entries are sealed exactly as in the ledger: no plaintext.
create table ledger_outbox (
  id         bigint generated always as identity primary key,
  entry      bytea       not null,
  created_at timestamptz not null
);
