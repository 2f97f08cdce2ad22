import { createClient } from "@supabase/supabase-js";

const supabaseUrl = import.meta.env.VITE_SUPABASE_URL;
const supabaseAnonKey = import.meta.env.VITE_SUPABASE_ANON_KEY;

if (!supabaseUrl || !supabaseAnonKey) {
  console.warn("VITE_SUPABASE_URL and VITE_SUPABASE_ANON_KEY must be set (see .env.example).");
}

/** The app's one Supabase client: auth session, database (RLS) and edge functions. */
export const supabase = createClient(supabaseUrl ?? "http://127.0.0.1:54321", supabaseAnonKey ?? "public-anon-key");
