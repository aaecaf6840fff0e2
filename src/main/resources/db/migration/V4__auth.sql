-- API tokens. Only the SHA-256 of a token's secret is stored: a copy of this table does not let
-- anyone authenticate. A revoked token keeps its row (for the audit trail and `ward token list`);
-- its name may then be reused by a new token.
create table api_token (
  id          bigint generated always as identity primary key,
  name        text        not null,
  secret_hash bytea       not null unique,
  created_at  timestamptz not null,
  revoked_at  timestamptz,
  constraint api_token_hash_length check (octet_length(secret_hash) = 32),
  constraint api_token_name_length check (char_length(name) between 1 and 100)
);

create unique index api_token_active_name on api_token (name) where revoked_at is null;
