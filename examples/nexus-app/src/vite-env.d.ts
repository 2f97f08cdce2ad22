/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_SUPABASE_URL: string;
  /** The project's publishable key (sb_publishable_…); public, RLS protects the data. */
  readonly VITE_SUPABASE_PUBLISHABLE_KEY?: string;
  /** The legacy anon key, for projects that have not moved to the new API keys yet. */
  readonly VITE_SUPABASE_ANON_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
