// What a Supabase project has before its first migration runs: the API roles, the `auth`,
// `realtime`, `extensions` and `supabase_migrations` schemas, GoTrue's tables, the JWT helper
// functions and Realtime's `messages` table. Written from the documented shapes (see
// SUPABASE-PROTOCOL.md §1.9, §2.2, §4), not copied. Every statement is idempotent, so the script
// runs on every start, on PGlite and on a server whose roles already exist (roles are
// cluster-wide; several databases of one server share them).
import type { Database } from './database.js'

/** NOTIFY channel on which every broadcast row inserted into `realtime.messages` is announced. */
export const REALTIME_NOTIFY_CHANNEL = 'parley_realtime'

/**
 * Largest NOTIFY payload (bytes) that carries the message inline. Postgres refuses payloads of
 * 8000 bytes or more; above this limit the notification omits the payload and the listener reads
 * the row by id.
 */
export const REALTIME_NOTIFY_INLINE_LIMIT = 7000

/** The bootstrap script (multi-statement; run with `Database.exec`). */
export const BOOTSTRAP_SQL = /* sql */ `
-- Roles. Creating a role that another database of the same server created a moment ago raises
-- duplicate_object or unique_violation; both mean "exists".
do $bootstrap$
declare
  r record;
begin
  for r in select * from (values
    ('anon', 'nologin noinherit'),
    ('authenticated', 'nologin noinherit'),
    ('service_role', 'nologin noinherit bypassrls'),
    ('authenticator', 'nologin noinherit')
  ) as t(name, attrs) loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r.name) then
      begin
        execute format('create role %I %s', r.name, r.attrs);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
  if not (select rolbypassrls from pg_catalog.pg_roles where rolname = 'service_role') then
    alter role service_role bypassrls;
  end if;
  -- PostgREST connects as authenticator and switches to the request's role.
  grant anon, authenticated, service_role to authenticator;
  -- A non-superuser owner of the database must be able to SET ROLE to the API roles.
  if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    execute format('grant anon, authenticated, service_role to %I', current_user);
  end if;
end
$bootstrap$;

create schema if not exists extensions;
create schema if not exists auth;
create schema if not exists realtime;
create schema if not exists supabase_migrations;

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema realtime to anon, authenticated, service_role;

-- Supabase's default privileges: objects the migration owner creates in public are granted to the
-- API roles; row-level security is what actually restricts them.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- ── auth: GoTrue's tables (the columns the emulator's Auth reads and writes) ────────────────
create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text default null,
  phone_confirmed_at timestamptz,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (lower(email))
  where is_sso_user = false and email is not null;
create unique index if not exists users_phone_key on auth.users (phone) where phone is not null;

create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  factor_id uuid,
  aal text,
  not_after timestamptz,
  refreshed_at timestamp,
  user_agent text,
  ip inet,
  tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx
  on auth.refresh_tokens (session_id, revoked);

-- JWT helpers as Supabase defines them: both the legacy per-claim GUC and request.jwt.claims.
create or replace function auth.uid() returns uuid
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$fn$;

create or replace function auth.role() returns text
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$fn$;

create or replace function auth.email() returns text
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$fn$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$fn$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;

-- ── realtime: messages (broadcast log and the target of authorization checks) ───────────────
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid() primary key,
  binary_payload bytea,
  constraint messages_one_payload check (payload is null or binary_payload is null)
);
create index if not exists messages_topic_inserted_at_idx
  on realtime.messages (topic, inserted_at);
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;

-- The channel's sub-topic (without "realtime:") during an authorization check.
create or replace function realtime.topic() returns text
language sql stable
as $fn$
  select nullif(current_setting('realtime.topic', true), '')::text
$fn$;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- Announces each broadcast row; the emulator's Realtime fans it out. Rolled-back inserts (the
-- authorization probes) never notify, because NOTIFY is delivered only on commit.
create or replace function realtime.notify_message() returns trigger
language plpgsql
as $fn$
declare
  head jsonb := jsonb_build_object(
    'v', 1, 'id', new.id, 'topic', new.topic, 'event', new.event,
    'private', coalesce(new.private, false), 'extension', new.extension);
  body text;
begin
  if new.binary_payload is not null then
    body := (head || jsonb_build_object('binary', true,
      'binary_payload', translate(encode(new.binary_payload, 'base64'), E'\\n', '')))::text;
  else
    body := (head || jsonb_build_object('binary', false, 'payload', new.payload))::text;
  end if;
  if octet_length(body) > ${REALTIME_NOTIFY_INLINE_LIMIT} then
    body := (head || jsonb_build_object('binary', new.binary_payload is not null,
      'payload_omitted', true))::text;
  end if;
  perform pg_notify('${REALTIME_NOTIFY_CHANNEL}', body);
  return null;
end
$fn$;

drop trigger if exists messages_notify on realtime.messages;
create trigger messages_notify after insert on realtime.messages
  for each row when (new.extension = 'broadcast') execute function realtime.notify_message();

-- Sends a broadcast from SQL, like Supabase's realtime.send: failures become warnings so a
-- broadcast never aborts the caller's transaction.
create or replace function realtime.send(
  payload jsonb, event text, topic text, private boolean default true
) returns void
language plpgsql
as $fn$
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (payload, event, topic, private, extension)
    values (payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$fn$;

create or replace function realtime.send_binary(
  payload bytea, event text, topic text, private boolean default true
) returns void
language plpgsql
as $fn$
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (binary_payload, event, topic, private, extension)
    values (payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$fn$;

-- ── supabase_migrations: the CLI's history tables ───────────────────────────────────────────
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
create table if not exists supabase_migrations.seed_files (
  path text primary key,
  hash text not null
);
`

/** Runs {@link BOOTSTRAP_SQL} as the superuser. Idempotent. */
export async function bootstrapDatabase(db: Database): Promise<void> {
  await db.exec(BOOTSTRAP_SQL)
}
