-- Trust (docs/TRUST.md, issue 11), the server's part: who may change what.
--
-- - Devices: each browser profile registers an Ed25519 public key and the Yjs client ids it
--   writes with; a client id belongs to one device, project-wide and forever. Replicas read the
--   bindings with conversation_devices and check every update against them.
-- - Signed log: every pushed update names one of the pusher's devices and carries its signature;
--   both are stored on the row, so the log says which device wrote what.
-- - Snapshots come only from the trusted compactor (service role): members cannot write them.
-- - The live topic of a conversation carries an epoch that changes when someone leaves, so a
--   former member's already-joined channel goes quiet (the others move to the new topic).
-- - Membership notices in every member's inbox; ids that cannot be probed with
--   create_conversation; a rate limit on failed invite codes.
--
-- Functions of the earlier migrations are redefined here with `create or replace` (pull_updates
-- is dropped and recreated: its result gains columns).

-- ── devices ──────────────────────────────────────────────────────────────────────────────

create table public.devices (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Raw Ed25519 public key. Never changes: a new key is a new device.
  public_key bytea not null,
  created_at timestamptz not null default now(),
  constraint devices_public_key_length check (octet_length(public_key) = 32)
);
create index devices_user_id_idx on public.devices (user_id);

-- Yjs client ids are random and chosen by the device; binding them here makes "who wrote this
-- struct" a fact the server vouches for. Up to 2^53 - 1 so a JavaScript number holds every id.
create table public.device_clients (
  client_id bigint primary key,
  device_id uuid not null references public.devices (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint device_clients_client_id_range check (client_id between 1 and 9007199254740991)
);
create index device_clients_device_id_idx on public.device_clients (device_id);

alter table public.devices enable row level security;
alter table public.device_clients enable row level security;

-- A user sees their own devices; other members' devices are read with conversation_devices.
create policy devices_select_own on public.devices
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy device_clients_select_own on public.device_clients
  for select to authenticated
  using (device_id in (select d.id from public.devices d where d.user_id = (select auth.uid())));

revoke all on public.devices, public.device_clients from anon, public;
revoke insert, update, delete, truncate, references, trigger
  on public.devices, public.device_clients from authenticated;
grant select on public.devices, public.device_clients to authenticated;
grant all on public.devices, public.device_clients to service_role;

-- ── signed log rows, live epoch ─────────────────────────────────────────────────────────

-- Null only on rows pushed before this migration. `set null` when a user (hence their devices)
-- is deleted: deleting an account must not be blocked by the history it wrote.
alter table public.conversation_updates
  add column device_id uuid references public.devices (id) on delete set null,
  add column signature bytea,
  add constraint conversation_updates_signature_length
    check (signature is null or octet_length(signature) = 64);
create index conversation_updates_device_id_idx on public.conversation_updates (device_id);

-- The live topic is conversation:<id>:<live_epoch>. 32 hex digits of a random uuid: unguessable
-- (pgcrypto is not available on every target, gen_random_uuid() is core since Postgres 13).
alter table public.conversations
  add column live_epoch text not null default replace(gen_random_uuid()::text, '-', '');

-- ── helpers ──────────────────────────────────────────────────────────────────────────────

-- Tells every current member's inbox that the membership changed (they re-read list_members
-- and conversation_topic). PL/pgSQL so that PERFORM runs over every member.
create function private.notify_members_changed(p_conversation_id uuid) returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  perform private.notify_inbox(m.user_id, 'members-changed',
      jsonb_build_object('conversation_id', p_conversation_id))
    from public.conversation_members m where m.conversation_id = p_conversation_id;
end
$$;

-- ── join rate limit ──────────────────────────────────────────────────────────────────────
--
-- A failed join raises, and a raise rolls the whole request back: a row "attempt failed" in a
-- table would vanish with it, and nothing would ever be counted. Sequences are the one store
-- Postgres never rolls back (setval survives the abort), on PGlite as on a server, so the
-- failure counters live in a fixed ring of 128 sequences. Each holds one 63-bit word:
--   window start (seconds since 2020-01-01, 31 bits) | user fingerprint (28 bits) | count (4 bits)
-- A user hashes to 4 of the 128 slots and owns the first one free (empty, or its window over).
-- The window is fixed: it starts at the first failure and lasts 600 s; 10 failures in it lock
-- the user out of join_conversation until it ends. If all 4 slots are held by other users'
-- live windows, the failure is not counted (a crowd of attackers cannot lock anyone else out;
-- with that many accounts they had that many attempts anyway).

do $$
begin
  for i in 0..127 loop
    execute format('create sequence private.join_failure_slot_%s as bigint minvalue 0 start 0', i);
  end loop;
end
$$;
revoke all on all sequences in schema private from public, anon, authenticated, service_role;

create function private.join_limit_slots(p_user_id uuid) returns integer[]
language sql immutable set search_path = ''
as $$
  select array_agg(((hashtextextended(p_user_id::text, k) % 128 + 128) % 128)::integer order by k)
  from generate_series(1, 4) k
$$;

create function private.join_limit_fingerprint(p_user_id uuid) returns bigint
language sql immutable set search_path = ''
as $$
  select greatest(hashtextextended(p_user_id::text, 0) & 268435455, 1)
$$;

create function private.join_limit_read(p_slot integer) returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_value bigint;
begin
  execute format('select last_value from private.%I', 'join_failure_slot_' || p_slot) into v_value;
  return v_value;
end
$$;

-- Seconds until the user may try again, or null when they are not locked out.
create function private.join_retry_after(p_user_id uuid) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_fingerprint bigint := private.join_limit_fingerprint(p_user_id);
  v_now bigint := floor(extract(epoch from now()))::bigint - 1577836800;
  v_slot integer;
  v_value bigint;
  v_age bigint;
begin
  foreach v_slot in array private.join_limit_slots(p_user_id) loop
    v_value := private.join_limit_read(v_slot);
    v_age := v_now - (v_value >> 32);
    if v_value <> 0 and (v_value >> 4) & 268435455 = v_fingerprint and v_age < 600
       and v_value & 15 >= 10 then
      return greatest(600 - v_age, 1)::integer;
    end if;
  end loop;
  return null;
end
$$;

-- Counts one failed attempt; survives the rollback of the failing request.
create function private.join_limit_record_failure(p_user_id uuid) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_fingerprint bigint := private.join_limit_fingerprint(p_user_id);
  v_now bigint := floor(extract(epoch from now()))::bigint - 1577836800;
  v_slot integer;
  v_free integer;
  v_value bigint;
begin
  -- Serialises the read-modify-write of the slots (released at the end of the transaction;
  -- the sequence values themselves are visible to everyone at once).
  perform pg_advisory_xact_lock(7401231101);
  foreach v_slot in array private.join_limit_slots(p_user_id) loop
    v_value := private.join_limit_read(v_slot);
    if v_value <> 0 and v_now - (v_value >> 32) < 600 then
      if (v_value >> 4) & 268435455 = v_fingerprint then
        if v_value & 15 < 15 then
          perform setval(format('private.%I', 'join_failure_slot_' || v_slot)::regclass,
            v_value + 1, true);
        end if;
        return;
      end if;
    elsif v_free is null then
      v_free := v_slot;
    end if;
  end loop;
  if v_free is not null then
    perform setval(format('private.%I', 'join_failure_slot_' || v_free)::regclass,
      (v_now << 32) | (v_fingerprint << 4) | 1, true);
  end if;
end
$$;

-- ── devices: RPCs ────────────────────────────────────────────────────────────────────────

-- Binds a device (id + public key) to the caller and adds client ids to it. Idempotent: the
-- same device with the same key only gains the ids it does not have yet. An id bound to
-- another device is refused, so no two devices ever write under one client id.
create function public.register_device(
  p_device_id uuid, p_public_key text, p_client_ids bigint[]
)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_key bytea;
  v_device public.devices;
  v_ids bigint[];
  v_bad bigint;
  v_count integer;
begin
  if p_device_id is null then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_device_id is required',
      jsonb_build_object('argument', 'p_device_id'));
  end if;
  begin
    v_key := private.decode_bytes(p_public_key, 'PARLEY_INVALID_ARGUMENT');
  exception when raise_exception then
    v_key := null;
  end;
  if v_key is null or octet_length(v_key) <> 32 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT',
      'p_public_key must be a base64 raw Ed25519 public key (32 bytes)',
      jsonb_build_object('argument', 'p_public_key'));
  end if;
  if p_client_ids is null or cardinality(p_client_ids) = 0 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_client_ids must not be empty',
      jsonb_build_object('argument', 'p_client_ids'));
  end if;
  if cardinality(p_client_ids) > 64 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'more than 64 client ids in one call',
      jsonb_build_object('argument', 'p_client_ids', 'count', cardinality(p_client_ids),
        'limit', 64));
  end if;
  if exists (select 1 from unnest(p_client_ids) c(id)
             where c.id is null or c.id < 1 or c.id > 9007199254740991) then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT',
      'client ids must be between 1 and 9007199254740991',
      jsonb_build_object('argument', 'p_client_ids'));
  end if;
  select array_agg(distinct c.id) into v_ids from unnest(p_client_ids) c(id);

  insert into public.devices (id, user_id, public_key) values (p_device_id, v_uid, v_key)
    on conflict (id) do nothing;
  -- The row lock serialises registrations of one device (the 4096 count below).
  select * into v_device from public.devices d where d.id = p_device_id for update;
  if v_device.user_id <> v_uid or v_device.public_key <> v_key then
    perform private.raise_error('PARLEY_DEVICE_TAKEN',
      'this device id is registered to another user or with another key',
      jsonb_build_object('device_id', p_device_id));
  end if;

  select min(c.client_id) into v_bad from public.device_clients c
    where c.client_id = any (v_ids) and c.device_id <> p_device_id;
  if v_bad is not null then
    perform private.raise_error('PARLEY_CLIENT_ID_TAKEN', 'a client id is bound to another device',
      jsonb_build_object('client_id', v_bad));
  end if;
  select count(*) + (select count(*) from unnest(v_ids) n(id)
                     where not exists (select 1 from public.device_clients k
                                       where k.client_id = n.id))
    into v_count
    from public.device_clients c where c.device_id = p_device_id;
  if v_count > 4096 then
    perform private.raise_error('PARLEY_TOO_MANY_CLIENT_IDS',
      'a device may have at most 4096 client ids',
      jsonb_build_object('count', v_count, 'limit', 4096));
  end if;
  insert into public.device_clients (client_id, device_id)
    select n.id, p_device_id from unnest(v_ids) n(id)
    on conflict (client_id) do nothing;
  -- Another device may have taken an id between the check and the insert.
  select min(c.client_id) into v_bad from public.device_clients c
    where c.client_id = any (v_ids) and c.device_id <> p_device_id;
  if v_bad is not null then
    perform private.raise_error('PARLEY_CLIENT_ID_TAKEN', 'a client id is bound to another device',
      jsonb_build_object('client_id', v_bad));
  end if;
end
$$;

-- Every device a replica may meet in the conversation: those of the current members, and every
-- device that wrote a row of the log (former members' updates stay in history). SECURITY
-- DEFINER because RLS shows a user only their own devices.
create function public.conversation_devices(p_conversation_id uuid)
returns table (device_id uuid, user_id uuid, public_key text, client_ids bigint[])
language sql stable security definer set search_path = ''
as $$
  select private.require_member(p_conversation_id);
  select d.id, d.user_id, private.encode_bytes(d.public_key),
    coalesce((select array_agg(c.client_id order by c.client_id) from public.device_clients c
              where c.device_id = d.id), '{}'::bigint[])
  from public.devices d
  where d.user_id in (select m.user_id from public.conversation_members m
                      where m.conversation_id = p_conversation_id)
     or d.id in (select u.device_id from public.conversation_updates u
                 where u.conversation_id = p_conversation_id and u.device_id is not null)
  order by d.user_id, d.id;
$$;

-- ── membership ───────────────────────────────────────────────────────────────────────────

create function public.list_members(p_conversation_id uuid)
returns table (user_id uuid, role text, joined_at timestamptz)
language sql stable security invoker set search_path = ''
as $$
  select private.require_member(p_conversation_id);
  select m.user_id, m.role, m.joined_at from public.conversation_members m
  where m.conversation_id = p_conversation_id
  order by m.joined_at, m.user_id;
$$;

-- The Realtime topic members use now; it changes whenever someone leaves (or is removed).
create function public.conversation_topic(p_conversation_id uuid)
returns text
language sql stable security invoker set search_path = ''
as $$
  select private.require_member(p_conversation_id);
  select 'conversation:' || c.id::text || ':' || c.live_epoch from public.conversations c
  where c.id = p_conversation_id;
$$;

-- Idempotent on p_id. A taken id the caller is not in answers exactly like any conversation RPC
-- on an id that does not exist (require_member's PARLEY_NOT_MEMBER), so ids cannot be probed.
create or replace function public.create_conversation(
  p_id uuid, p_title text default '', p_kind text default 'chat'
)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_title text := coalesce(p_title, '');
  v_kind text := coalesce(p_kind, 'chat');
begin
  if p_id is null then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_id is required',
      jsonb_build_object('argument', 'p_id'));
  end if;
  if char_length(v_title) > 200 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'title longer than 200 characters',
      jsonb_build_object('argument', 'p_title', 'limit', 200));
  end if;
  if v_kind !~ '^[a-z][a-z0-9_-]{0,31}$' then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'kind must match ^[a-z][a-z0-9_-]{0,31}$',
      jsonb_build_object('argument', 'p_kind'));
  end if;
  insert into public.conversations (id, title, kind, created_by)
    values (p_id, v_title, v_kind, v_uid)
    on conflict (id) do nothing;
  if found then
    insert into public.conversation_members (conversation_id, user_id, role)
      values (p_id, v_uid, 'owner');
    perform private.notify_inbox(v_uid, 'conversation-joined',
      jsonb_build_object('conversation_id', p_id));
  else
    perform private.require_member(p_id);
  end if;
  return private.conversation_summary(p_id);
end
$$;

-- Accepts "K7QXM2PA", "k7qx-m2pa" or " K7QX M2PA ". Joining a conversation one is already in
-- returns it without using up the invite. At most 10 failed codes per user per 10 minutes.
create or replace function public.join_conversation(p_code text)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_code text := upper(regexp_replace(coalesce(p_code, ''), '[^A-Za-z0-9]', '', 'g'));
  v_invite public.conversation_invites;
  v_retry integer := private.join_retry_after(v_uid);
begin
  if v_retry is not null then
    perform private.raise_error('PARLEY_RATE_LIMITED', 'too many failed invite codes; wait',
      jsonb_build_object('retry_after_s', v_retry));
  end if;
  select * into v_invite from public.conversation_invites i where i.code = v_code for update;
  if not found then
    perform private.join_limit_record_failure(v_uid);
    perform private.raise_error('PARLEY_INVITE_NOT_FOUND', 'no such invite code');
  end if;
  if exists (select 1 from public.conversation_members m
             where m.conversation_id = v_invite.conversation_id and m.user_id = v_uid) then
    return private.conversation_summary(v_invite.conversation_id);
  end if;
  if v_invite.expires_at is not null and v_invite.expires_at <= now() then
    perform private.join_limit_record_failure(v_uid);
    perform private.raise_error('PARLEY_INVITE_EXPIRED', 'the invite has expired',
      jsonb_build_object('expires_at', v_invite.expires_at));
  end if;
  if v_invite.max_uses is not null and v_invite.uses >= v_invite.max_uses then
    perform private.join_limit_record_failure(v_uid);
    perform private.raise_error('PARLEY_INVITE_EXHAUSTED', 'the invite has been used up',
      jsonb_build_object('max_uses', v_invite.max_uses));
  end if;
  update public.conversation_invites set uses = uses + 1 where code = v_code;
  insert into public.conversation_members (conversation_id, user_id, role)
    values (v_invite.conversation_id, v_uid, 'member');
  perform private.notify_inbox(v_uid, 'conversation-joined',
    jsonb_build_object('conversation_id', v_invite.conversation_id));
  perform realtime.send(jsonb_build_object('conversation_id', v_invite.conversation_id,
      'user_id', v_uid, 'change', 'joined'),
    'members-changed', 'conversation:' || v_invite.conversation_id::text, true);
  perform private.notify_members_changed(v_invite.conversation_id);
  return private.conversation_summary(v_invite.conversation_id);
end
$$;

-- Idempotent: leaving a conversation one is not in does nothing. When the last owner leaves,
-- the longest-standing member becomes owner. The log stays (nobody's leaving erases history).
-- The live epoch changes, so the remaining members move to a topic the leaver cannot join.
create or replace function public.leave_conversation(p_conversation_id uuid)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_role text;
begin
  delete from public.conversation_members m
    where m.conversation_id = p_conversation_id and m.user_id = v_uid
    returning m.role into v_role;
  if v_role is null then
    return;
  end if;
  if v_role = 'owner' and not exists (select 1 from public.conversation_members m
      where m.conversation_id = p_conversation_id and m.role = 'owner') then
    update public.conversation_members set role = 'owner'
      where conversation_id = p_conversation_id and user_id = (
        select m.user_id from public.conversation_members m
        where m.conversation_id = p_conversation_id
        order by m.joined_at, m.user_id limit 1);
  end if;
  update public.conversations set live_epoch = replace(gen_random_uuid()::text, '-', '')
    where id = p_conversation_id;
  perform private.notify_inbox(v_uid, 'conversation-left',
    jsonb_build_object('conversation_id', p_conversation_id));
  perform realtime.send(jsonb_build_object('conversation_id', p_conversation_id,
      'user_id', v_uid, 'change', 'left'),
    'members-changed', 'conversation:' || p_conversation_id::text, true);
  perform private.notify_members_changed(p_conversation_id);
end
$$;

-- ── the update log ───────────────────────────────────────────────────────────────────────

-- Appends a batch: p_updates = [{"client_update_id": uuid, "update": base64, "device_id": uuid,
-- "signature": base64}, …]. device_id must be a device of the caller (register_device) and
-- signature 64 bytes; the server stores both and does not verify the signature (replicas do,
-- with the device's key: the server's word is which user a device belongs to).
-- Returns one row per input, in input order. A client_update_id already in the log (a retry)
-- returns its original seq with duplicate = true; reusing one for a different update, device
-- or signature is an error. All or nothing. The counter row lock serialises pushes to one
-- conversation until commit, so seqs become visible in order.
create or replace function public.push_updates(p_conversation_id uuid, p_updates jsonb)
returns table (client_update_id uuid, seq bigint, duplicate boolean)
language plpgsql volatile security definer set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_uid uuid := private.require_user();
  v_uuid constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  v_count integer;
  v_total bigint := 0;
  v_last bigint;
  v_added integer := 0;
  v_item jsonb;
  v_index integer := 0;
  v_id uuid;
  v_bytes bytea;
  v_device uuid;
  v_signature bytea;
  v_old_seq bigint;
  v_old_bytes bytea;
  v_old_author uuid;
  v_old_device uuid;
  v_old_signature bytea;
begin
  perform private.require_member(p_conversation_id);
  if p_updates is null or jsonb_typeof(p_updates) <> 'array' then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_updates must be a JSON array',
      jsonb_build_object('argument', 'p_updates'));
  end if;
  v_count := jsonb_array_length(p_updates);
  if v_count > 100 then
    perform private.raise_error('PARLEY_BATCH_TOO_LARGE', 'more than 100 updates in one push',
      jsonb_build_object('count', v_count, 'limit', 100));
  end if;
  if v_count = 0 then
    return;
  end if;
  select c.last_seq into v_last from public.conversations c
    where c.id = p_conversation_id for update;
  for v_item in select e.value from jsonb_array_elements(p_updates) with ordinality e
                order by e.ordinality loop
    if jsonb_typeof(v_item) <> 'object'
       or coalesce(jsonb_typeof(v_item -> 'update'), '') <> 'string'
       or coalesce(jsonb_typeof(v_item -> 'signature'), '') <> 'string'
       or coalesce(v_item ->> 'client_update_id', '') !~* v_uuid
       or coalesce(v_item ->> 'device_id', '') !~* v_uuid then
      perform private.raise_error('PARLEY_INVALID_UPDATE',
        'each update needs a uuid client_update_id, a uuid device_id, a string update and a string signature',
        jsonb_build_object('index', v_index));
    end if;
    v_id := (v_item ->> 'client_update_id')::uuid;
    v_device := (v_item ->> 'device_id')::uuid;
    v_bytes := private.decode_bytes(v_item ->> 'update', 'PARLEY_INVALID_UPDATE', v_index);
    if octet_length(v_bytes) > 262144 then
      perform private.raise_error('PARLEY_UPDATE_TOO_LARGE', 'update larger than 262144 bytes',
        jsonb_build_object('index', v_index, 'size', octet_length(v_bytes), 'limit', 262144));
    end if;
    v_total := v_total + octet_length(v_bytes);
    if v_total > 2097152 then
      perform private.raise_error('PARLEY_BATCH_TOO_LARGE', 'batch larger than 2097152 bytes',
        jsonb_build_object('index', v_index, 'size', v_total, 'limit', 2097152));
    end if;
    v_signature := private.decode_bytes(v_item ->> 'signature', 'PARLEY_INVALID_UPDATE', v_index);
    if octet_length(v_signature) <> 64 then
      perform private.raise_error('PARLEY_INVALID_UPDATE', 'signature must be 64 bytes',
        jsonb_build_object('index', v_index, 'size', octet_length(v_signature)));
    end if;
    if not exists (select 1 from public.devices d where d.id = v_device and d.user_id = v_uid) then
      perform private.raise_error('PARLEY_UNKNOWN_DEVICE',
        'device_id is not a registered device of the caller',
        jsonb_build_object('index', v_index, 'device_id', v_device));
    end if;
    select u.seq, u.update, u.author, u.device_id, u.signature
      into v_old_seq, v_old_bytes, v_old_author, v_old_device, v_old_signature
      from public.conversation_updates u
      where u.conversation_id = p_conversation_id and u.client_update_id = v_id;
    if found then
      if v_old_bytes <> v_bytes or v_old_author <> v_uid
         or v_old_device is distinct from v_device
         or v_old_signature is distinct from v_signature then
        perform private.raise_error('PARLEY_CLIENT_UPDATE_ID_REUSED',
          'client_update_id already used for a different update',
          jsonb_build_object('index', v_index, 'client_update_id', v_id));
      end if;
      client_update_id := v_id;
      seq := v_old_seq;
      duplicate := true;
    else
      v_last := v_last + 1;
      insert into public.conversation_updates
          (conversation_id, seq, update, author, client_update_id, device_id, signature)
        values (p_conversation_id, v_last, v_bytes, v_uid, v_id, v_device, v_signature);
      v_added := v_added + 1;
      client_update_id := v_id;
      seq := v_last;
      duplicate := false;
    end if;
    return next;
    v_index := v_index + 1;
  end loop;
  if v_added > 0 then
    update public.conversations set last_seq = v_last, last_update_at = now()
      where id = p_conversation_id;
    -- Every member's devices learn about the new seq, even those not watching this conversation.
    perform private.notify_inbox(m.user_id, 'conversation-updated',
        jsonb_build_object('conversation_id', p_conversation_id, 'seq', v_last))
      from public.conversation_members m where m.conversation_id = p_conversation_id;
  end if;
end
$$;

-- One page of the log after p_after_seq, in seq order. Fewer than p_limit rows = caught up.
-- device_id and signature are null only on rows pushed before devices existed.
drop function public.pull_updates(uuid, bigint, integer);
create function public.pull_updates(
  p_conversation_id uuid, p_after_seq bigint default 0, p_limit integer default 500
)
returns table (
  seq bigint, update text, author uuid, client_update_id uuid, created_at timestamptz,
  device_id uuid, signature text
)
language sql stable security invoker set search_path = ''
as $$
  select private.check_pull(p_conversation_id, p_after_seq, p_limit);
  select u.seq, private.encode_bytes(u.update), u.author, u.client_update_id, u.created_at,
    u.device_id, private.encode_bytes(u.signature)
  from public.conversation_updates u
  where u.conversation_id = p_conversation_id and u.seq > p_after_seq
  order by u.seq
  limit p_limit;
$$;

-- ── snapshots: the trusted compactor only ────────────────────────────────────────────────

-- Stores a snapshot covering seqs 1..p_upto_seq. Only the service role may execute it (the
-- compactor Edge Function, which replays the log through the trust rules first): a snapshot is
-- what a new replica starts from, so a member must not be able to write one. It never replaces
-- or prunes log rows. A snapshot not newer than the newest stored one is ignored
-- (stored = false). The newest 3 and the one the log was pruned against are kept.
create or replace function public.put_snapshot(p_conversation_id uuid, p_state text, p_upto_seq bigint)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_state bytea;
  v_last bigint;
  v_pruned bigint;
  v_newest bigint;
begin
  select c.last_seq, c.pruned_upto_seq into v_last, v_pruned from public.conversations c
    where c.id = p_conversation_id for update;
  if not found then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'no such conversation',
      jsonb_build_object('argument', 'p_conversation_id'));
  end if;
  if p_upto_seq is null or p_upto_seq < 1 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_upto_seq must be >= 1',
      jsonb_build_object('argument', 'p_upto_seq'));
  end if;
  if p_upto_seq > v_last then
    perform private.raise_error('PARLEY_SNAPSHOT_AHEAD', 'p_upto_seq is beyond the log',
      jsonb_build_object('upto_seq', p_upto_seq, 'last_seq', v_last));
  end if;
  v_state := private.decode_bytes(p_state, 'PARLEY_INVALID_SNAPSHOT');
  if octet_length(v_state) > 16777216 then
    perform private.raise_error('PARLEY_SNAPSHOT_TOO_LARGE', 'snapshot larger than 16777216 bytes',
      jsonb_build_object('size', octet_length(v_state), 'limit', 16777216));
  end if;
  select max(s.upto_seq) into v_newest from public.conversation_snapshots s
    where s.conversation_id = p_conversation_id;
  if v_newest is not null and p_upto_seq <= v_newest then
    return jsonb_build_object('stored', false, 'upto_seq', v_newest);
  end if;
  insert into public.conversation_snapshots (conversation_id, upto_seq, state, created_by)
    values (p_conversation_id, p_upto_seq, v_state, auth.uid());
  delete from public.conversation_snapshots s
    where s.conversation_id = p_conversation_id
      and s.upto_seq <> v_pruned
      and s.upto_seq not in (select k.upto_seq from public.conversation_snapshots k
                             where k.conversation_id = p_conversation_id
                             order by k.upto_seq desc limit 3);
  return jsonb_build_object('stored', true, 'upto_seq', p_upto_seq);
end
$$;

-- ── Realtime ─────────────────────────────────────────────────────────────────────────────
--   conversation:<id>:<epoch>  members, only while <epoch> is the conversation's live_epoch;
--   conversation:<id>          members (the topic before epochs; kept until every client
--                              joins conversation_topic's answer, then to be removed);
--   inbox:<userId>             only that user reads; nobody writes through Realtime.

create or replace function private.can_use_topic(p_topic text, p_extension text, p_write boolean)
returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_uuid constant text := '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
begin
  if v_uid is null or p_topic is null or p_extension not in ('broadcast', 'presence') then
    return false;
  end if;
  if p_topic ~* ('^conversation:' || v_uuid || ':[0-9a-f]{32}$') then
    return exists (select 1 from public.conversation_members m
                   join public.conversations c on c.id = m.conversation_id
                   where m.conversation_id = split_part(p_topic, ':', 2)::uuid
                     and m.user_id = v_uid
                     and c.live_epoch = split_part(p_topic, ':', 3));
  end if;
  if p_topic ~* ('^conversation:' || v_uuid || '$') then
    return exists (select 1 from public.conversation_members m
                   where m.conversation_id = substr(p_topic, 14)::uuid and m.user_id = v_uid);
  end if;
  if p_topic ~* ('^inbox:' || v_uuid || '$') then
    return not p_write and substr(p_topic, 7)::uuid = v_uid;
  end if;
  return false;
end
$$;

-- ── privileges ───────────────────────────────────────────────────────────────────────────

-- The rate limiter and the membership notice are called only from SECURITY DEFINER RPCs.
revoke execute on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;
revoke execute on function private.join_limit_slots(uuid), private.join_limit_fingerprint(uuid),
  private.join_limit_read(integer), private.join_retry_after(uuid),
  private.join_limit_record_failure(uuid), private.notify_members_changed(uuid)
  from authenticated, service_role;

-- Supabase's default privileges grant new functions in public to anon and authenticated.
revoke execute on function
  public.register_device(uuid, text, bigint[]), public.conversation_devices(uuid),
  public.list_members(uuid), public.conversation_topic(uuid),
  public.pull_updates(uuid, bigint, integer), public.put_snapshot(uuid, text, bigint)
  from public, anon, authenticated;
grant execute on function
  public.register_device(uuid, text, bigint[]), public.conversation_devices(uuid),
  public.list_members(uuid), public.conversation_topic(uuid),
  public.pull_updates(uuid, bigint, integer)
  to authenticated, service_role;
grant execute on function public.put_snapshot(uuid, text, bigint) to service_role;
