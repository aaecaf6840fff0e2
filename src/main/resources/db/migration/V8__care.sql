-- Care relationships and consent denials, derived from CareTeam, Encounter and Consent resources
-- when they are written (in the same transaction), so that the access policy and search narrowing
-- can ask the database "which patients does this practitioner or department have a relationship
-- with" without decrypting anything. No plaintext: patients are pseudonyms, actors (Practitioner,
-- Organization or Location references) and purposes are keyed blind tokens. `until` is the day the
-- relationship ends (rounded up to midnight UTC), or null while it is open.
create table care_fact (
  type    text        not null,   -- the resource that states the fact
  id      text        not null,
  patient bytea       not null,
  kind    text        not null,
  subject bytea,                  -- null only for a consent that denies everyone
  until   timestamptz,
  constraint care_fact_kind check (kind in ('care-team', 'encounter', 'admitted', 'consent-deny')),
  constraint care_fact_subject check (subject is not null or kind = 'consent-deny')
);

create index care_fact_source on care_fact (type, id);
create index care_fact_subject on care_fact (subject, kind, patient);
create index care_fact_patient on care_fact (patient, kind);

-- Narrowed searches find a principal's patients in care_fact and their records here.
create index resource_current_patient on resource_current (type, patient, seq) where not deleted;

-- Break-the-glass: time-boxed emergency access of one staff user to one patient. The reason is
-- sealed under the patient's data key (bound to the grant's actor and time); the review is by a
-- security officer.
create table emergency_grant (
  id          bigint generated always as identity primary key,
  actor       text        not null,
  actor_name  text        not null,
  patient     bytea       not null,
  resource    text        not null,   -- what was opened first, e.g. Patient/123 (ids are not PHI)
  granted_at  timestamptz not null,
  expires_at  timestamptz not null,
  reason      bytea       not null,
  ledger_index bigint     not null,
  reviewed_at timestamptz,
  reviewed_by text,
  verdict     text,
  constraint emergency_grant_verdict check (verdict is null or verdict in ('justified', 'unjustified'))
);

create index emergency_grant_actor on emergency_grant (actor, expires_at);
create index emergency_grant_open on emergency_grant (granted_at) where reviewed_at is null;
