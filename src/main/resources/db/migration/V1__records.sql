-- Sealed resource versions and their blind-index tokens. The database sees addressing (type, id,
-- version), patient pseudonyms, tokens and ciphertext; never content.

-- Every write order: resource_current.seq and search_token.seq come from here, so search results can
-- be ordered by last write and a resource's tokens are addressed by its current seq.
create sequence resource_seq;

-- Every version ever written, including deletions (deleted = true). Append-only in practice.
create table resource_version (
  type       text    not null,
  id         text    not null,
  version    bigint  not null check (version >= 1),
  patient    bytea,
  deleted    boolean not null,
  ciphertext bytea   not null,
  primary key (type, id, version)
);

-- One row per resource that ever existed: its current version and write order.
create table resource_current (
  type    text    not null,
  id      text    not null,
  version bigint  not null,
  patient bytea,
  deleted boolean not null,
  seq     bigint  not null unique,
  primary key (type, id)
);

-- Listing and counting a whole type in write order.
create index resource_current_live on resource_current (type, seq) where not deleted;

-- Tokens of current, non-deleted versions only. seq equals the owning resource_current.seq, so
-- "token = ? order by seq limit n" is one index range scan and count(*) can be index-only.
create table search_token (
  type  text   not null,
  token bytea  not null,
  seq   bigint not null,
  id    text   not null,
  primary key (type, token, seq)
);

-- Replacing a resource's tokens on write deletes them by the previous seq.
create index search_token_seq on search_token (seq);
