-- Parley's durable model: conversations, their members and invites, the append-only update log
-- and compacted snapshots. Clients never write these tables directly: every write goes through
-- the RPC functions of the next migration, which check membership and limits. Row-level
-- security lets members read their conversations' rows and nothing else; the anon role (no
-- sign-in) has no privileges at all.

create schema if not exists private;
comment on schema private is
  'Parley helpers used by policies and RPCs; not exposed through the API.';
grant usage on schema private to authenticated, service_role;

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  title text not null default '',
  kind text not null default 'chat',
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  -- The per-conversation seq counter; its row lock orders concurrent pushes (see push_updates).
  last_seq bigint not null default 0,
  last_update_at timestamptz,
  -- Log rows up to here were pruned by the trusted compaction path; a snapshot covers them.
  pruned_upto_seq bigint not null default 0,
  constraint conversations_title_length check (char_length(title) <= 200),
  constraint conversations_kind_format check (kind ~ '^[a-z][a-z0-9_-]{0,31}$')
);

create table public.conversation_members (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member',
  joined_at timestamptz not null default now(),
  primary key (conversation_id, user_id),
  constraint conversation_members_role check (role in ('owner', 'member'))
);
create index conversation_members_user_id_idx on public.conversation_members (user_id);

-- One code serves both sharing forms: typed by hand ("K7QX-M2PA") or inside a link.
create table public.conversation_invites (
  code text primary key,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  max_uses integer,
  uses integer not null default 0,
  constraint conversation_invites_code_format check (code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  constraint conversation_invites_max_uses check (max_uses is null or max_uses > 0)
);
create index conversation_invites_conversation_id_idx
  on public.conversation_invites (conversation_id);

create table public.conversation_updates (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  seq bigint not null,
  update bytea not null,
  author uuid not null default auth.uid(),
  client_update_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (conversation_id, seq),
  constraint conversation_updates_client_update_id_key unique (conversation_id, client_update_id),
  constraint conversation_updates_seq_positive check (seq > 0),
  constraint conversation_updates_size check (octet_length(update) between 1 and 262144)
);

create table public.conversation_snapshots (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  upto_seq bigint not null,
  state bytea not null,
  created_by uuid default auth.uid(),
  updated_at timestamptz not null default now(),
  primary key (conversation_id, upto_seq),
  constraint conversation_snapshots_upto_seq_positive check (upto_seq > 0)
);

-- Membership, evaluated once per statement in policies (`in (select …)` becomes a hashed
-- subplan) and without recursing into conversation_members' own policy.
create function private.my_conversation_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.conversation_id from public.conversation_members m where m.user_id = auth.uid()
$$;

alter table public.conversations enable row level security;
alter table public.conversation_members enable row level security;
alter table public.conversation_invites enable row level security;
alter table public.conversation_updates enable row level security;
alter table public.conversation_snapshots enable row level security;

create policy conversations_select_member on public.conversations
  for select to authenticated
  using (id in (select private.my_conversation_ids()));
create policy conversation_members_select_member on public.conversation_members
  for select to authenticated
  using (conversation_id in (select private.my_conversation_ids()));
create policy conversation_invites_select_member on public.conversation_invites
  for select to authenticated
  using (conversation_id in (select private.my_conversation_ids()));
create policy conversation_updates_select_member on public.conversation_updates
  for select to authenticated
  using (conversation_id in (select private.my_conversation_ids()));
create policy conversation_snapshots_select_member on public.conversation_snapshots
  for select to authenticated
  using (conversation_id in (select private.my_conversation_ids()));

-- Writes only through RPCs: no write policies, and no write privileges either (defence in
-- depth against a policy added later by mistake). Signed-out callers get nothing.
revoke all on public.conversations, public.conversation_members, public.conversation_invites,
  public.conversation_updates, public.conversation_snapshots from anon, public;
revoke insert, update, delete, truncate, references, trigger on public.conversations,
  public.conversation_members, public.conversation_invites, public.conversation_updates,
  public.conversation_snapshots from authenticated;
grant select on public.conversations, public.conversation_members, public.conversation_invites,
  public.conversation_updates, public.conversation_snapshots to authenticated;
grant all on public.conversations, public.conversation_members, public.conversation_invites,
  public.conversation_updates, public.conversation_snapshots to service_role;

revoke execute on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;
