-- Wrapped keys: every data key, PRF key and the key-encryption-key check record, each encrypted
-- (wrapped) under the key-encryption key, which is never stored here. Bound to (kind, name) as
-- associated data, so a value moved to another row does not unwrap.
create table wrapped_keys (
  kind    text  not null,
  name    bytea not null,
  wrapped bytea not null,
  primary key (kind, name)
);
