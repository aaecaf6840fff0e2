-- Watch: what the detectors compare, the alerts they raise, and the flags officers put on records.

-- Identity markers of people in the record, derived from Patient and Practitioner resources when
-- they are written (in the same transaction): keyed blind tokens of a normalised surname, address
-- and name-with-birth-date, a deceased mark, and security labels. They let the family, co-worker
-- and deceased detectors compare a staff member with a patient without decrypting either.
create table person_marker (
  type    text        not null,   -- Patient or Practitioner
  id      text        not null,
  patient bytea,                  -- the patient's pseudonym (Patient resources), else null
  kind    text        not null,
  token   bytea,                  -- null only for 'deceased'
  at      timestamptz,            -- when a patient died (for 'deceased'), else null
  constraint person_marker_kind check (kind in ('surname', 'address', 'person', 'deceased', 'label')),
  constraint person_marker_token check (token is not null or kind = 'deceased')
);

create index person_marker_source on person_marker (type, id);
create index person_marker_patient on person_marker (patient) where patient is not null;
create index person_marker_token on person_marker (kind, token);

-- Flags a security officer puts on a patient: canary (a honeytoken no workflow touches), vip,
-- staff. The row holds only a keyed token of (flag, patient pseudonym), so a copy of the database
-- does not tell which records are canaries; what the flag is on is sealed under the directory key.
create table watch_flag (
  token      bytea       primary key,
  sealed     bytea       not null,
  set_by     text        not null,
  set_at     timestamptz not null
);

-- Alerts raised by detectors. No PHI: the patient is its pseudonym; the explanation gives counts.
create table watch_alert (
  id           bigint generated always as identity primary key,
  at           timestamptz not null,
  detector     text        not null,
  severity     text        not null,
  actor        text        not null,
  actor_name   text        not null,
  role         text        not null,
  session      text,
  address      text,
  patient      text,
  explanation  text        not null,
  response     text        not null,
  ledger_index bigint      not null,
  status       text        not null default 'open',
  verdict      text,
  handled_by   text,
  handled_at   timestamptz,
  count        integer     not null default 1,
  constraint watch_alert_status check (status in ('open', 'acknowledged', 'closed')),
  constraint watch_alert_verdict check (verdict is null or verdict in ('true-positive', 'false-positive', 'benign'))
);

create index watch_alert_open on watch_alert (at) where status <> 'closed';
create index watch_alert_actor on watch_alert (actor, detector, at);

-- A step-up response: the account's next sign-in must use a passkey (WebAuthn), even where its role
-- may otherwise use TOTP. Cleared by that sign-in.
alter table staff_user add column step_up_required boolean not null default false;
