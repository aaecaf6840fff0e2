-- Staff accounts. Passwords are Argon2id PHC strings; a TOTP secret is sealed (AES-256-GCM under a
-- key wrapped by the KEK); an enrolment link is stored only as the SHA-256 of its token. Staff
-- names and roles are not patient data.
create table staff_user (
  id                bigint generated always as identity primary key,
  username          text        not null,
  display_name      text        not null,
  role              text        not null,
  practitioner      text,
  departments       text[]      not null default '{}',
  user_handle       bytea       not null unique,          -- WebAuthn user handle: 32 random bytes
  password_hash     text,
  totp_secret       bytea,
  totp_last_step    bigint,                               -- replay guard: the last accepted time step
  status            text        not null default 'pending',
  failed_attempts   integer     not null default 0,
  locked_until      timestamptz,
  enrolment_hash    bytea unique,
  enrolment_expires timestamptz,
  created_at        timestamptz not null,
  constraint staff_user_role check (role in ('physician', 'nurse', 'clerk', 'security-officer', 'auditor', 'administrator')),
  constraint staff_user_status check (status in ('pending', 'active', 'disabled')),
  constraint staff_user_name check (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$')
);

create unique index staff_user_username on staff_user (username);

-- WebAuthn credentials (passkeys, security keys): public keys only.
create table webauthn_credential (
  credential_id bytea       primary key,
  user_id       bigint      not null references staff_user (id),
  public_key    bytea       not null,     -- COSE_Key
  sign_count    bigint      not null,
  created_at    timestamptz not null,
  last_used_at  timestamptz
);

create index webauthn_credential_user on webauthn_credential (user_id);

-- System integrations that get tokens by the OAuth client-credentials grant. The secret is 32
-- random bytes, stored as its SHA-256.
create table api_client (
  id          bigint generated always as identity primary key,
  name        text        not null unique,
  secret_hash bytea       not null unique,
  scopes      text        not null,
  created_at  timestamptz not null,
  disabled_at timestamptz,
  constraint api_client_name check (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$')
);

-- Every bearer token is a row of api_token: long-lived integration tokens (ward token create),
-- staff sessions (user_id) and client-credentials tokens (client_id). All are opaque, stored as the
-- SHA-256 of the secret, carry scopes, and die at once when revoked.
alter table api_token add column user_id bigint references staff_user (id);
alter table api_token add column client_id bigint references api_client (id);
alter table api_token add column scopes text not null default 'system/*.cruds';
alter table api_token add column expires_at timestamptz;
alter table api_token add column idle_seconds integer;
alter table api_token add column last_used_at timestamptz;
alter table api_token add column revoked_reason text;
alter table api_token add column address text;
alter table api_token drop constraint api_token_role;
alter table api_token add constraint api_token_role
  check (role in ('integration', 'auditor', 'physician', 'nurse', 'clerk', 'security-officer', 'administrator'));
drop index api_token_active_name;
create unique index api_token_active_name on api_token (name)
  where revoked_at is null and user_id is null and client_id is null;
create index api_token_user on api_token (user_id) where revoked_at is null;
