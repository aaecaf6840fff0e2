-- What each API token is for: an integration reads and writes records; an auditor reads the audit
-- log (AuditEvent) and nothing else. Tokens issued before roles existed are integrations.
alter table api_token add column role text not null default 'integration';
alter table api_token add constraint api_token_role check (role in ('integration', 'auditor'));
