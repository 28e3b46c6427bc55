-- Seed data for local development, run after the migrations by `supabase start` / `db reset`
-- and by Parley's emulator (once per content hash). Parley creates every conversation at run
-- time through the RPCs, so there is nothing to seed; add demo rows here if an app needs them.
select 1;
