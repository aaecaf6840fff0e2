-- What the watch learned of each actor (its peaks, its working hours, the addresses its tokens
-- come from), kept across restarts. JSON; no PHI: actor ids, counts, hours and client addresses.
create table watch_profile (
  actor      text        primary key,
  profile    text        not null,
  updated_at timestamptz not null
);
