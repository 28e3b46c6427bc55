-- Private Realtime channels (SUPABASE-PROTOCOL.md §1.9). Realtime evaluates these policies on
-- realtime.messages with realtime.topic() = the channel's sub-topic:
--   conversation:<id>  members read and write, broadcast and presence;
--   inbox:<userId>     only that user reads; nobody writes through Realtime (the database
--                      writes inbox notices with realtime.send from RPCs).
-- Everyone else, and the anon role, is denied (no policy applies to anon).

create function private.can_use_topic(p_topic text, p_extension text, p_write boolean)
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

revoke execute on function private.can_use_topic(text, text, boolean) from public, anon;
grant execute on function private.can_use_topic(text, text, boolean) to authenticated, service_role;

create policy parley_topic_read on realtime.messages
  for select to authenticated
  using (
    realtime.messages.topic = (select realtime.topic())
    and private.can_use_topic((select realtime.topic()), realtime.messages.extension, false)
  );

create policy parley_topic_write on realtime.messages
  for insert to authenticated
  with check (
    realtime.messages.topic = (select realtime.topic())
    and private.can_use_topic((select realtime.topic()), realtime.messages.extension, true)
  );
