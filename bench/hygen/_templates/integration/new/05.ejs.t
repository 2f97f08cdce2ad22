---
to: supabase/functions/.env.example
---
# >>> nexus-integrate: shared >>>
# Shared by every nexus-integrate integration. 32 random bytes each: openssl rand -base64 32
NEXUS_TOKEN_ENCRYPTION_KEY=
NEXUS_STATE_SIGNING_KEY=
# Optional: comma-separated app origins allowed to call the integration functions.
NEXUS_ALLOWED_ORIGINS=
# <<< nexus-integrate: shared <<<

# >>> nexus-integrate: <%= id %> >>>
# <%= pascal %> OAuth app credentials (supabase secrets set …)
<%= constant %>_CLIENT_ID=
<%= constant %>_CLIENT_SECRET=
# <<< nexus-integrate: <%= id %> <<<
