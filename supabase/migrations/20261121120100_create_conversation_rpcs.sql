-- Everything a Parley client does, as RPC functions (supabase-js `rpc(name, {p_…})`).
--
-- Errors a client can branch on are raised with SQLSTATE P0001 (HTTP 400 through PostgREST),
-- `hint` = a stable code such as PARLEY_UPDATE_TOO_LARGE, `message` = '<code>: <explanation>'
-- and `detail` = a JSON object with the numbers involved. See docs/SCHEMA.md for the list.
--
-- Binary values (Yjs updates, snapshots) cross the API as base64 text: a third of the size of
-- PostgREST's default bytea JSON form (\x hex doubles it), native in browsers, and free of
-- PostgREST's escape-format trap for bytea strings without \x. Inputs also accept '\x' + hex.
--
-- SECURITY DEFINER only for functions that write (tables have no write policies); each checks
-- the caller's membership itself and pins `search_path = ''`. Reads are SECURITY INVOKER and go
-- through row-level security as well as an explicit check (for a clear error).

-- ── helpers ──────────────────────────────────────────────────────────────────────────────

-- Volatile on purpose: an immutable raiser could be constant-folded, i.e. raise at plan time.
create function private.raise_error(p_code text, p_message text, p_detail jsonb default '{}')
returns void
language plpgsql volatile set search_path = ''
as $$
begin
  raise exception using errcode = 'P0001', message = p_code || ': ' || p_message,
    hint = p_code, detail = coalesce(p_detail, '{}'::jsonb)::text;
end
$$;

create function private.require_user() returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    perform private.raise_error('PARLEY_NOT_AUTHENTICATED', 'sign in first');
  end if;
  return v_uid;
end
$$;

-- The caller's role in the conversation; a missing conversation looks the same as one the
-- caller is not in, so ids of other people's conversations cannot be probed.
create function private.require_member(p_conversation_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_role text;
begin
  select m.role into v_role from public.conversation_members m
    where m.conversation_id = p_conversation_id and m.user_id = v_uid;
  if v_role is null then
    perform private.raise_error('PARLEY_NOT_MEMBER', 'not a member of this conversation',
      jsonb_build_object('conversation_id', p_conversation_id));
  end if;
  return v_role;
end
$$;

-- base64 (standard or URL-safe, padding optional) or '\x' + hex → bytes.
create function private.decode_bytes(p_text text, p_code text, p_index integer default null)
returns bytea
language plpgsql immutable set search_path = ''
as $$
declare
  v_clean text;
begin
  if p_text is null or p_text = '' then
    perform private.raise_error(p_code, 'empty binary value', jsonb_build_object('index', p_index));
  end if;
  if left(p_text, 2) = '\x' then
    return decode(substr(p_text, 3), 'hex');
  end if;
  v_clean := translate(p_text, E'-_\n\r ', '+/');
  v_clean := rpad(v_clean, ((length(v_clean) + 3) / 4) * 4, '=');
  return decode(v_clean, 'base64');
exception
  when invalid_parameter_value or invalid_text_representation or invalid_binary_representation then
    perform private.raise_error(p_code, 'not base64 or \x hex', jsonb_build_object('index', p_index));
    return null;
end
$$;

create function private.encode_bytes(p_bytes bytea) returns text
language sql immutable set search_path = ''
as $$
  select translate(encode(p_bytes, 'base64'), E'\n', '')
$$;

create function private.notify_inbox(p_user_id uuid, p_event text, p_payload jsonb) returns void
language sql volatile security definer set search_path = ''
as $$
  select realtime.send(p_payload, p_event, 'inbox:' || p_user_id::text, true)
$$;

revoke execute on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;

-- ── limits ───────────────────────────────────────────────────────────────────────────────

create function public.get_limits() returns jsonb
language sql immutable set search_path = ''
as $$
  select jsonb_build_object(
    'max_update_bytes', 262144,
    'max_batch_updates', 100,
    'max_batch_bytes', 2097152,
    'max_pull_limit', 1000,
    'max_snapshot_bytes', 16777216,
    'max_title_length', 200,
    'kept_snapshots', 3
  )
$$;

-- ── conversations ────────────────────────────────────────────────────────────────────────

-- The caller's conversations with the counters a device needs to catch up (inbox).
create function public.list_conversations()
returns table (
  id uuid, title text, kind text, created_by uuid, created_at timestamptz, role text,
  joined_at timestamptz, last_seq bigint, last_update_at timestamptz, pruned_upto_seq bigint,
  snapshot_upto_seq bigint
)
language sql stable security invoker set search_path = ''
as $$
  select c.id, c.title, c.kind, c.created_by, c.created_at, m.role, m.joined_at, c.last_seq,
    c.last_update_at, c.pruned_upto_seq,
    (select max(s.upto_seq) from public.conversation_snapshots s where s.conversation_id = c.id)
  from public.conversations c
  join public.conversation_members m on m.conversation_id = c.id and m.user_id = auth.uid()
  order by coalesce(c.last_update_at, c.created_at) desc, c.id
$$;

create function private.conversation_summary(p_conversation_id uuid) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select to_jsonb(l) from public.list_conversations() l where l.id = p_conversation_id
$$;

-- Idempotent on p_id: a conversation created offline is created again when the device syncs,
-- and a retry (or another device of the same user) gets the existing row back.
create function public.create_conversation(p_id uuid, p_title text default '', p_kind text default 'chat')
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
  elsif not exists (select 1 from public.conversation_members m
                    where m.conversation_id = p_id and m.user_id = v_uid) then
    perform private.raise_error('PARLEY_CONVERSATION_ID_TAKEN',
      'another conversation already uses this id', jsonb_build_object('conversation_id', p_id));
  end if;
  return private.conversation_summary(p_id);
end
$$;

-- Any member may invite. p_ttl_seconds null = never expires; p_max_uses null = unlimited.
create function public.create_invite(
  p_conversation_id uuid, p_ttl_seconds integer default 604800, p_max_uses integer default null
)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  v_bytes bytea;
  v_code text;
  v_row public.conversation_invites;
begin
  perform private.require_member(p_conversation_id);
  if p_ttl_seconds is not null and (p_ttl_seconds < 60 or p_ttl_seconds > 31536000) then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_ttl_seconds must be 60..31536000',
      jsonb_build_object('argument', 'p_ttl_seconds'));
  end if;
  if p_max_uses is not null and (p_max_uses < 1 or p_max_uses > 100000) then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_max_uses must be 1..100000',
      jsonb_build_object('argument', 'p_max_uses'));
  end if;
  for attempt in 1..5 loop
    -- 8 characters from 32 unambiguous symbols (no I, O, 0, 1): 40 random bits.
    v_bytes := uuid_send(gen_random_uuid());
    v_code := '';
    for i in 0..7 loop
      v_code := v_code || substr(v_alphabet, (get_byte(v_bytes, i) % 32) + 1, 1);
    end loop;
    insert into public.conversation_invites (code, conversation_id, created_by, expires_at, max_uses)
      values (v_code, p_conversation_id, v_uid,
        case when p_ttl_seconds is null then null
             else now() + make_interval(secs => p_ttl_seconds) end,
        p_max_uses)
      on conflict (code) do nothing
      returning * into v_row;
    if found then
      return jsonb_build_object('code', v_row.code, 'conversation_id', v_row.conversation_id,
        'created_at', v_row.created_at, 'expires_at', v_row.expires_at,
        'max_uses', v_row.max_uses, 'uses', v_row.uses);
    end if;
  end loop;
  perform private.raise_error('PARLEY_INTERNAL', 'could not allocate an invite code');
  return null;
end
$$;

-- Accepts "K7QXM2PA", "k7qx-m2pa" or " K7QX M2PA ". Joining a conversation one is already in
-- returns it without using up the invite.
create function public.join_conversation(p_code text)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_code text := upper(regexp_replace(coalesce(p_code, ''), '[^A-Za-z0-9]', '', 'g'));
  v_invite public.conversation_invites;
begin
  select * into v_invite from public.conversation_invites i where i.code = v_code for update;
  if not found then
    perform private.raise_error('PARLEY_INVITE_NOT_FOUND', 'no such invite code');
  end if;
  if exists (select 1 from public.conversation_members m
             where m.conversation_id = v_invite.conversation_id and m.user_id = v_uid) then
    return private.conversation_summary(v_invite.conversation_id);
  end if;
  if v_invite.expires_at is not null and v_invite.expires_at <= now() then
    perform private.raise_error('PARLEY_INVITE_EXPIRED', 'the invite has expired',
      jsonb_build_object('expires_at', v_invite.expires_at));
  end if;
  if v_invite.max_uses is not null and v_invite.uses >= v_invite.max_uses then
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
  return private.conversation_summary(v_invite.conversation_id);
end
$$;

-- Idempotent: leaving a conversation one is not in does nothing. When the last owner leaves,
-- the longest-standing member becomes owner. The log stays (nobody's leaving erases history).
create function public.leave_conversation(p_conversation_id uuid)
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
  perform private.notify_inbox(v_uid, 'conversation-left',
    jsonb_build_object('conversation_id', p_conversation_id));
  perform realtime.send(jsonb_build_object('conversation_id', p_conversation_id,
      'user_id', v_uid, 'change', 'left'),
    'members-changed', 'conversation:' || p_conversation_id::text, true);
end
$$;

-- ── the update log ───────────────────────────────────────────────────────────────────────

-- Appends a batch: p_updates = [{"client_update_id": uuid, "update": base64 | "\\x…"}, …].
-- Returns one row per input, in input order. A client_update_id already in the log (a retry)
-- returns its original seq with duplicate = true; reusing one for different bytes is an error.
-- All or nothing: a limit violation anywhere rejects the whole batch. The counter row lock
-- serialises pushes to one conversation until commit, so seqs become visible in order and a
-- reader paging by seq never skips one that commits later.
create function public.push_updates(p_conversation_id uuid, p_updates jsonb)
returns table (client_update_id uuid, seq bigint, duplicate boolean)
language plpgsql volatile security definer set search_path = ''
as $$
#variable_conflict use_variable
declare
  v_uid uuid := private.require_user();
  v_count integer;
  v_total bigint := 0;
  v_last bigint;
  v_added integer := 0;
  v_item jsonb;
  v_index integer := 0;
  v_id uuid;
  v_bytes bytea;
  v_old_seq bigint;
  v_old_bytes bytea;
  v_old_author uuid;
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
    if jsonb_typeof(v_item) <> 'object' or jsonb_typeof(v_item -> 'update') <> 'string'
       or coalesce(v_item ->> 'client_update_id', '')
          !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      perform private.raise_error('PARLEY_INVALID_UPDATE',
        'each update needs a uuid client_update_id and a string update',
        jsonb_build_object('index', v_index));
    end if;
    v_id := (v_item ->> 'client_update_id')::uuid;
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
    select u.seq, u.update, u.author into v_old_seq, v_old_bytes, v_old_author
      from public.conversation_updates u
      where u.conversation_id = p_conversation_id and u.client_update_id = v_id;
    if found then
      if v_old_bytes <> v_bytes or v_old_author <> v_uid then
        perform private.raise_error('PARLEY_CLIENT_UPDATE_ID_REUSED',
          'client_update_id already used for a different update',
          jsonb_build_object('index', v_index, 'client_update_id', v_id));
      end if;
      client_update_id := v_id;
      seq := v_old_seq;
      duplicate := true;
    else
      v_last := v_last + 1;
      insert into public.conversation_updates (conversation_id, seq, update, author, client_update_id)
        values (p_conversation_id, v_last, v_bytes, v_uid, v_id);
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

create function private.check_pull(p_conversation_id uuid, p_after_seq bigint, p_limit integer)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_pruned bigint;
begin
  perform private.require_member(p_conversation_id);
  if p_after_seq is null or p_after_seq < 0 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_after_seq must be >= 0',
      jsonb_build_object('argument', 'p_after_seq'));
  end if;
  if p_limit is null or p_limit < 1 then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'p_limit must be >= 1',
      jsonb_build_object('argument', 'p_limit'));
  end if;
  if p_limit > 1000 then
    perform private.raise_error('PARLEY_PAGE_TOO_LARGE', 'p_limit larger than 1000',
      jsonb_build_object('limit', 1000, 'requested', p_limit));
  end if;
  select c.pruned_upto_seq into v_pruned from public.conversations c where c.id = p_conversation_id;
  if p_after_seq < v_pruned then
    perform private.raise_error('PARLEY_HISTORY_PRUNED',
      'updates up to pruned_upto_seq were compacted; load the snapshot first',
      jsonb_build_object('pruned_upto_seq', v_pruned));
  end if;
end
$$;

-- One page of the log after p_after_seq, in seq order. Fewer than p_limit rows = caught up.
create function public.pull_updates(
  p_conversation_id uuid, p_after_seq bigint default 0, p_limit integer default 500
)
returns table (seq bigint, update text, author uuid, client_update_id uuid, created_at timestamptz)
language sql stable security invoker set search_path = ''
as $$
  select private.check_pull(p_conversation_id, p_after_seq, p_limit);
  select u.seq, private.encode_bytes(u.update), u.author, u.client_update_id, u.created_at
  from public.conversation_updates u
  where u.conversation_id = p_conversation_id and u.seq > p_after_seq
  order by u.seq
  limit p_limit;
$$;

-- ── snapshots and compaction ─────────────────────────────────────────────────────────────

-- The newest snapshot (or the newest below p_before_seq, to step past one that fails to load),
-- or null when there is none.
create function public.get_snapshot(p_conversation_id uuid, p_before_seq bigint default null)
returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform private.require_member(p_conversation_id);
  select jsonb_build_object('conversation_id', s.conversation_id, 'upto_seq', s.upto_seq,
      'state', private.encode_bytes(s.state), 'created_by', s.created_by,
      'updated_at', s.updated_at)
    into v_result
    from public.conversation_snapshots s
    where s.conversation_id = p_conversation_id
      and (p_before_seq is null or s.upto_seq < p_before_seq)
    order by s.upto_seq desc limit 1;
  return v_result;
end
$$;

-- Stores a snapshot covering seqs 1..p_upto_seq. It never replaces or prunes log rows, so a
-- member uploading a wrong snapshot cannot destroy history: the log stays complete until the
-- trusted path (prune_updates, service_role only) prunes it against a verified snapshot.
-- A snapshot not newer than the newest stored one is ignored (stored = false). The newest 3
-- and the one the log was pruned against are kept; older ones are dropped.
create function public.put_snapshot(p_conversation_id uuid, p_state text, p_upto_seq bigint)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_user();
  v_state bytea;
  v_last bigint;
  v_pruned bigint;
  v_newest bigint;
begin
  perform private.require_member(p_conversation_id);
  select c.last_seq, c.pruned_upto_seq into v_last, v_pruned from public.conversations c
    where c.id = p_conversation_id for update;
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
    values (p_conversation_id, p_upto_seq, v_state, v_uid);
  delete from public.conversation_snapshots s
    where s.conversation_id = p_conversation_id
      and s.upto_seq <> v_pruned
      and s.upto_seq not in (select k.upto_seq from public.conversation_snapshots k
                             where k.conversation_id = p_conversation_id
                             order by k.upto_seq desc limit 3);
  return jsonb_build_object('stored', true, 'upto_seq', p_upto_seq);
end
$$;

-- Trusted compaction (service_role only, e.g. a server job that has loaded the snapshot with
-- Yjs and checked it against the log): deletes log rows up to a stored snapshot's upto_seq.
-- A device whose cursor is below the pruned point gets PARLEY_HISTORY_PRUNED from
-- pull_updates and loads a snapshot first, so pruning never silently loses data.
create function public.prune_updates(p_conversation_id uuid, p_upto_seq bigint)
returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_deleted bigint;
begin
  if not exists (select 1 from public.conversation_snapshots s
                 where s.conversation_id = p_conversation_id and s.upto_seq = p_upto_seq) then
    perform private.raise_error('PARLEY_INVALID_ARGUMENT', 'no snapshot with this upto_seq',
      jsonb_build_object('upto_seq', p_upto_seq));
  end if;
  update public.conversations set pruned_upto_seq = greatest(pruned_upto_seq, p_upto_seq)
    where id = p_conversation_id;
  delete from public.conversation_updates u
    where u.conversation_id = p_conversation_id and u.seq <= p_upto_seq;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

-- ── privileges ───────────────────────────────────────────────────────────────────────────

revoke execute on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;

revoke execute on function
  public.get_limits(), public.list_conversations(),
  public.create_conversation(uuid, text, text), public.create_invite(uuid, integer, integer),
  public.join_conversation(text), public.leave_conversation(uuid),
  public.push_updates(uuid, jsonb), public.pull_updates(uuid, bigint, integer),
  public.get_snapshot(uuid, bigint), public.put_snapshot(uuid, text, bigint),
  public.prune_updates(uuid, bigint)
  from public, anon, authenticated;
grant execute on function
  public.get_limits(), public.list_conversations(),
  public.create_conversation(uuid, text, text), public.create_invite(uuid, integer, integer),
  public.join_conversation(text), public.leave_conversation(uuid),
  public.push_updates(uuid, jsonb), public.pull_updates(uuid, bigint, integer),
  public.get_snapshot(uuid, bigint), public.put_snapshot(uuid, text, bigint)
  to authenticated, service_role;
grant execute on function public.prune_updates(uuid, bigint) to service_role;
