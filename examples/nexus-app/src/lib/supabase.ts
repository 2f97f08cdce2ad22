import { createClient } from "@supabase/supabase-js";

const supabaseUrl = import.meta.env.VITE_SUPABASE_URL;
// The publishable key replaces the legacy anon key (https://supabase.com/docs/guides/getting-started/migrating-to-new-api-keys).
const supabaseKey = import.meta.env.VITE_SUPABASE_PUBLISHABLE_KEY ?? import.meta.env.VITE_SUPABASE_ANON_KEY;

if (!supabaseUrl || !supabaseKey) {
  console.warn("VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY must be set (see .env.example).");
}

/** The app's one Supabase client: auth session, database (RLS) and edge functions. */
export const supabase = createClient(supabaseUrl ?? "http://127.0.0.1:54321", supabaseKey ?? "sb_publishable_local");
