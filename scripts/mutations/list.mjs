// The safety mutations `npm run mutations` applies, one at a time: each breaks one safety line of a template the
// way a careless edit would, and names the behavioural tests that must then fail. A mutation is a list of edits;
// each edit's `find` must occur exactly once in its file (when it does not, the code moved on and this list must
// follow it). Golden snapshots are never counted: a snapshot fails on any edit, so it proves nothing.
//
// Fields: id; where (the line's role, for the report); lets (what the broken line would let through); edits
// [{ file, find, replace }]; tests: the test files to run (never tests/golden); grep (optional): vitest -t, to run
// only the tests named by it. A file list with a grep is run as it is on the unbroken code first (the baseline).

const T = "templates/basic/shared/supabase/functions/_shared/nexus-integrate";
const ADV = "templates/advanced/shared/supabase/functions/_shared/nexus-integrate";
const SQL = "templates/basic/shared/supabase/migrations";
const SCHEMA = `${SQL}/{{timestamp}}_nexus_integrate_001_schema.sql.hbs`;
const JOBS = `${SQL}/{{timestamp}}_nexus_integrate_003_sync_jobs.sql.hbs`;
const HEALTH = `${SQL}/{{timestamp}}_nexus_integrate_004_health.sql.hbs`;
const KEY_RING = `${SQL}/{{timestamp}}_nexus_integrate_005_key_ring.sql.hbs`;
const DISCONNECT = `${SQL}/{{timestamp}}_nexus_integrate_006_disconnect_through_function.sql.hbs`;
const ROLES = `${SQL}/{{timestamp}}_nexus_integrate_007_function_roles.sql.hbs`;
const REVOCATION_EVENTS = `${SQL}/{{timestamp}}_nexus_integrate_008_revocation_events.sql.hbs`;
const JOB_CALLS = `${SQL}/{{timestamp}}_nexus_integrate_009_job_calls_take_role.sql.hbs`;
const FN_ROLE = "templates/basic/integration/supabase/migrations/{{timestamp}}_{{snake}}_004_function_role.sql.hbs";
const WH_ROLE = "templates/advanced/integration/supabase/migrations/{{timestamp}}_{{snake}}_005_webhooks_role.sql.hbs";
const CLI_TEST = "tests/verify/supabase-cli.test.ts";
const OAUTH = "tests/verify/oauth.test.ts";

/** @type {{ id: string; where: string; lets: string; edits: { file: string; find: string; replace: string }[]; tests: string[]; grep?: string }[]} */
export const MUTATIONS = [
  // The caller's identity (auth.ts)
  {
    id: "jwt-allow-expired",
    where: "auth.ts: getClaims checks exp",
    lets: "an expired user JWT (asymmetric keys)",
    edits: [
      {
        file: `${T}/auth.ts.hbs`,
        find: "client.auth.getClaims(jwt, jwks ? { jwks } : {})",
        replace: "client.auth.getClaims(jwt, { ...(jwks ? { jwks } : {}), allowExpired: true })",
      },
    ],
    tests: [OAUTH],
    grep: "itself refuses|refuses a properly signed",
  },
  {
    id: "jwt-any-role",
    where: "auth.ts: role must be authenticated",
    lets: "a signed token with a sub and role anon or service_role",
    edits: [{ file: `${T}/auth.ts.hbs`, find: ' || claims.role !== "authenticated"', replace: "" }],
    tests: [OAUTH],
    grep: "itself refuses|refuses a properly signed",
  },
  {
    id: "jwt-no-sub",
    where: "auth.ts: the token must name a user",
    lets: "an authenticated-role token without a sub",
    edits: [{ file: `${T}/auth.ts.hbs`, find: 'typeof claims.sub !== "string" || claims.sub === "" || ', replace: "" }],
    tests: [OAUTH],
    grep: "itself refuses|refuses a properly signed",
  },
  {
    id: "jwt-anonymous",
    where: "auth.ts: an anonymous sign-in is no account",
    lets: "a guest session connecting integrations",
    edits: [{ file: `${T}/auth.ts.hbs`, find: "    if (claims.is_anonymous === true) {", replace: "    if (false) {" }],
    tests: [OAUTH],
    grep: "itself refuses|refuses a properly signed",
  },
  {
    id: "redirect-plain-http",
    where: "exchange-handler.ts: a non-loopback redirect URI is https",
    lets: "the authorization code sent in clear over http",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: '  if (url.protocol === "http:" && !isLoopbackOrigin(url.origin)) {',
        replace: '  if (false && url.protocol === "http:" && !isLoopbackOrigin(url.origin)) {',
      },
    ],
    tests: [OAUTH],
    grep: "must still be https",
  },
  {
    id: "cors-any-origin",
    where: "cors.ts: CORS only for allowed origins",
    lets: "any web page calling the functions with the user's session",
    edits: [
      {
        file: `${T}/cors.ts.hbs`,
        find: "origin !== null && isAllowedOrigin(origin, allowedOrigins) ?",
        replace: "origin !== null ?",
      },
    ],
    tests: [OAUTH],
    grep: "allowed origin|loopback",
  },
  {
    id: "redirect-any-origin",
    where: "exchange-handler.ts: redirect URI on an allowed origin",
    lets: "a sign-in whose code is sent to another site",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: "if (!isAllowedOrigin(url.origin, allowedOrigins)) {",
        replace: "if (false && !isAllowedOrigin(url.origin, allowedOrigins)) {",
      },
    ],
    tests: [OAUTH],
    grep: "allowed origin|loopback",
  },
  // The state (exchange-handler.ts, store.ts)
  {
    id: "state-signature-unchecked",
    where: "exchange-handler.ts: the state's HMAC is verified",
    lets: "a forged or tampered state",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: "!!nonce && !!signature && (await verify(deps.keys.state, stateMessage(provider.id, userId, nonce), signature));",
        replace: "!!nonce && !!signature;",
      },
    ],
    tests: [OAUTH],
    grep: "exchange",
  },
  {
    id: "state-signed-without-user",
    where: "exchange-handler.ts: the signed message holds the user id",
    lets: "a state of user A verifying for user B (only the row lookup would stop it)",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: "return `${provider}.${userId}.${nonce}`;",
        replace: "return `${provider}.${nonce}`;",
      },
    ],
    tests: [OAUTH],
    grep: "exchange",
  },
  {
    id: "state-lookup-without-user",
    where: "store.ts: the state is consumed only by its user",
    lets: "a state row of user A consumed by user B (only the signature would stop it)",
    edits: [
      {
        file: `${T}/store.ts.hbs`,
        find: "and provider = ${provider} and user_id = ${userId} and used_at is null",
        replace: "and provider = ${provider} and used_at is null",
      },
    ],
    tests: [OAUTH],
    grep: "exchange",
  },
  {
    id: "state-reusable",
    where: "store.ts: a state is used once",
    lets: "a replayed callback",
    edits: [
      {
        file: `${T}/store.ts.hbs`,
        find: "and provider = ${provider} and user_id = ${userId} and used_at is null",
        replace: "and provider = ${provider} and user_id = ${userId}",
      },
    ],
    tests: [OAUTH],
    grep: "exchange",
  },
  {
    id: "state-never-expires",
    where: "exchange-handler.ts: a state expires",
    lets: "a callback long after the sign-in started",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: "if (row.expiresAt.getTime() <= deps.now().getTime()) {",
        replace: "if (false && row.expiresAt.getTime() <= deps.now().getTime()) {",
      },
    ],
    tests: [OAUTH],
    grep: "exchange",
  },
  // OAuth protocol (oauth.ts)
  {
    id: "pkce-verifier-dropped",
    where: "oauth.ts: the code is redeemed with its PKCE verifier",
    lets: "a code redeemed without proof of who started the sign-in",
    edits: [
      {
        file: `${T}/oauth.ts.hbs`,
        find: "input.codeVerifier ?? oauth.nopkce,",
        replace: "oauth.nopkce,",
      },
    ],
    tests: ["tests/verify/strict-server.test.ts"],
  },
  {
    id: "iss-ignored",
    where: "oauth.ts: RFC 9207 iss is checked",
    lets: "an authorization response from another issuer (mix-up attack)",
    edits: [
      {
        file: `${T}/oauth.ts.hbs`,
        find: "    { client_id: credentials.clientId },\n    params,\n    expectedState,",
        replace:
          '    { client_id: credentials.clientId },\n    new URLSearchParams([...params].filter(([name]) => name !== "iss")),\n    expectedState,',
      },
    ],
    tests: ["tests/verify/strict-server.test.ts"],
  },
  // Tokens at rest (crypto.ts, store.ts, schema 001)
  {
    id: "ciphertext-unbound",
    where: "crypto.ts: the row's context is the additional data",
    lets: "a ciphertext copied to another user's row decrypting there",
    edits: [
      {
        file: `${T}/crypto.ts.hbs`,
        find: '    { name: "AES-GCM", iv, additionalData: encoder.encode(context) },',
        replace: '    { name: "AES-GCM", iv },',
      },
      {
        file: `${T}/crypto.ts.hbs`,
        find: '    { name: "AES-GCM", iv: base64UrlDecode(iv), additionalData: encoder.encode(context) },',
        replace: '    { name: "AES-GCM", iv: base64UrlDecode(iv) },',
      },
    ],
    tests: [OAUTH],
    grep: "stores encrypted tokens",
  },
  {
    id: "plaintext-token-column",
    where: "schema 005: token columns hold ciphertext only",
    lets: "a plaintext token written to the table",
    edits: [
      {
        file: KEY_RING,
        find: "add constraint oauth_tokens_access_token_check check (access_token ~ '^v[12]\\.'),",
        replace: "add constraint oauth_tokens_access_token_check check (access_token is not null),",
      },
    ],
    tests: ["tests/verify/database.test.ts"],
  },
  {
    id: "refresh-without-lease",
    where: "store.ts: one refresh at a time per token row",
    lets: "two runs spending the same refresh token (a rotated one is then dead)",
    edits: [
      {
        file: `${T}/store.ts.hbs`,
        find: "            and (refresh_lease_until is null or refresh_lease_until < clock_timestamp())\n",
        replace: "",
      },
    ],
    tests: [OAUTH],
    grep: "token lease",
  },
  // The key rings (crypto.ts, runtime.ts, sync-handler.ts)
  {
    id: "key-ring-current-only",
    where: "crypto.ts: ciphertext opens with the key it names",
    lets: "every token sealed with the previous key lost the moment a new key is added",
    edits: [{ file: `${T}/crypto.ts.hbs`, find: "    const key = ring.keys.get(id);\n", replace: "    const key: CryptoKey | undefined = ring.current.key;\n" }],
    tests: ["tests/verify/key-rotation.test.ts"],
  },
  {
    id: "key-ring-unopenable-500",
    where: "sync-handler.ts: tokens no key opens end in needs_reauth",
    lets: "a removed key turning every sync of its users into a 500, forever",
    edits: [
      {
        file: `${T}/sync-handler.ts.hbs`,
        find: "      if (error instanceof SecretUnavailable) {\n        // Tokens no key",
        replace: "      if (error instanceof SecretUnavailable && false) {\n        // Tokens no key",
      },
    ],
    tests: ["tests/verify/key-rotation.test.ts"],
  },
  {
    id: "key-ring-drops-single-key",
    where: "runtime.ts: a single key set beside a ring must be in it",
    lets: "a rotation that forgets the old key silently cutting off its connections",
    edits: [
      {
        file: `${T}/runtime.ts.hbs`,
        find: "    if (single && !ring.split(",
        replace: "    if (false && single && !ring.split(",
      },
    ],
    tests: ["tests/verify/key-rotation.test.ts"],
  },
  {
    id: "state-ring-current-only",
    where: "crypto.ts: a state verifies with any key of the ring",
    lets: "every sign-in in progress failing at a state-key rotation",
    edits: [{ file: `${T}/crypto.ts.hbs`, find: "  for (const key of ring.keys) {\n", replace: "  for (const key of [ring.current]) {\n" }],
    tests: ["tests/verify/key-rotation.test.ts"],
  },
  // Row-level security and grants (schema 001, 004)
  {
    id: "rls-read-everyone",
    where: "schema 001: users read their own connections",
    lets: "every user's connections to every signed-in user",
    edits: [
      {
        file: SCHEMA,
        find: "create policy nexus_user_integrations_select_own on public.nexus_user_integrations\n  for select to authenticated using ((select auth.uid()) = user_id);",
        replace: "create policy nexus_user_integrations_select_own on public.nexus_user_integrations\n  for select to authenticated using (true);",
      },
    ],
    tests: ["tests/verify/database.test.ts"],
  },
  {
    id: "data-api-delete",
    where: "schema 006: users cannot DELETE a connection through the Data API",
    lets: "a disconnect that skips the provider's revocation (the grant stays live there)",
    edits: [
      {
        file: DISCONNECT,
        find: "revoke delete on table public.nexus_user_integrations from anon, authenticated;\n",
        replace: "",
      },
    ],
    tests: ["tests/verify/database.test.ts"],
  },
  {
    id: "tokens-granted",
    where: "schema 001: nothing of the private schema is granted",
    lets: "the encrypted tokens readable by signed-in users",
    edits: [
      {
        file: SCHEMA,
        find: "alter table nexus_integrate.oauth_tokens enable row level security;\n",
        replace:
          "alter table nexus_integrate.oauth_tokens enable row level security;\ngrant select on nexus_integrate.oauth_tokens to authenticated;\n",
      },
    ],
    tests: ["tests/verify/database.test.ts"],
  },
  {
    id: "anon-keeps-grants",
    where: "schema 001: Supabase's default grants to anon are revoked",
    lets: "anon reading connections the moment a policy slips",
    edits: [
      {
        file: SCHEMA,
        find: "revoke all on table public.nexus_user_integrations from anon, authenticated;",
        replace: "revoke insert, update on table public.nexus_user_integrations from anon, authenticated;",
      },
    ],
    tests: ["tests/verify/database.test.ts"],
  },
  // Sync: the job lease, the rate budget, the worker secret, the provider's URLs (schema 003, sync-handler.ts)
  {
    id: "job-claimed-under-lease",
    where: "schema 007's claim_sync_job (003's, rewritten): a leased job is not claimed again",
    lets: "two workers running one connection's sync at once",
    edits: [
      {
        file: ROLES,
        find: "      and (s.lease_until is null or s.lease_until < pg_catalog.clock_timestamp())\n      and c.status in ('connected', 'error')",
        replace: "      and c.status in ('connected', 'error')",
      },
    ],
    tests: ["tests/verify/sync-jobs.test.ts"],
  },
  {
    id: "claim-waits",
    where: "schema 007's claim_sync_job (003's, rewritten): a claim passes over a job another worker is claiming (SKIP LOCKED)",
    lets: "workers queueing behind each other's row locks until the invocation's time runs out",
    edits: [{ file: ROLES, find: "    for update of s skip locked\n", replace: "    for update of s\n" }],
    tests: ["tests/verify/sync-jobs.test.ts"],
  },
  {
    id: "page-stored-without-lease",
    where: "schema 003: only the lease holder stores a page",
    lets: "a worker whose lease was taken over overwriting the new run's checkpoint",
    edits: [
      {
        file: JOBS,
        find: "    records_this_run = records_this_run + pg_catalog.jsonb_array_length(p_records)\n  where user_id = p_user and provider = p_provider and lease_owner = p_worker;",
        replace: "    records_this_run = records_this_run + pg_catalog.jsonb_array_length(p_records)\n  where user_id = p_user and provider = p_provider;",
      },
    ],
    tests: ["tests/verify/sync-jobs.test.ts"],
  },
  {
    id: "budget-unbounded",
    where: "schema 003: a request budget grants at most its limit per window",
    lets: "workers exceeding the provider's rate limit",
    edits: [
      {
        file: JOBS,
        find: "  where (r.paused_until is null or r.paused_until <= t_now)\n    and (r.window_start <> excluded.window_start or r.used < p_limit)",
        replace: "  where (r.paused_until is null or r.paused_until <= t_now)",
      },
    ],
    tests: ["tests/verify/sync-jobs.test.ts"],
    grep: "request budgets",
  },
  {
    id: "worker-secret-unchecked",
    where: "sync-handler.ts: the worker is entered with the worker secret",
    lets: "anyone starting the worker (every connection's sync, on their call)",
    edits: [
      {
        file: `${T}/sync-handler.ts.hbs`,
        find: "if (!(await sameSecret(given, deps.workerSecret)))",
        replace: 'if (given === "")',
      },
    ],
    tests: ["tests/verify/background-sync.test.ts"],
    grep: "worker secret",
  },
  {
    id: "next-url-any-origin",
    where: "sync-handler.ts: a next-page URL is followed on the API's origin only",
    lets: "the access token sent to the host a page's @odata.nextLink names",
    edits: [
      {
        file: `${T}/sync-handler.ts.hbs`,
        find: "      const url = next === null ? null : sameOrigin(next, page.base);\n      return url ? { url, json: null } : null;\n    }\n    case \"link-header\": {",
        replace: "      const url = next === null ? null : new URL(next, page.base);\n      return url ? { url, json: null } : null;\n    }\n    case \"link-header\": {",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
    grep: "^(github|microsoft) \\(basic\\)",
  },
  {
    id: "link-header-any-origin",
    where: "sync-handler.ts: a Link rel=next is followed on the API's origin only",
    lets: "the access token sent to the host a Link header names (GitHub-style paging)",
    edits: [
      {
        file: `${T}/sync-handler.ts.hbs`,
        find: "      const next = linkNext(page.response.headers.get(\"Link\"));\n      const url = next === null ? null : sameOrigin(next, page.base);",
        replace: "      const next = linkNext(page.response.headers.get(\"Link\"));\n      const url = next === null ? null : new URL(next, page.base);",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
    grep: "^(github|microsoft) \\(basic\\)",
  },
  // Webhooks (advanced set)
  {
    id: "webhook-signature-unchecked",
    where: "webhooks.ts: a delivery's signature is verified",
    lets: "forged deliveries",
    edits: [{ file: `${ADV}/webhooks.ts.hbs`, find: '  if (!valid) return { ok: false, reason: "bad signature" };\n', replace: "" }],
    tests: ["tests/verify/webhooks.test.ts"],
  },
  {
    id: "webhook-url-from-request",
    where: "webhooks.ts: the signed URL is the public one, built from SUPABASE_URL",
    lets: "every real HubSpot delivery refused on hosted Supabase (the function sees only /<name>)",
    edits: [
      {
        file: `${ADV}/webhooks.ts.hbs`,
        find: "      const url = `${deps.publicUrl}${new URL(req.url).search}`;",
        replace: "      const url = req.url;",
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
  },
  {
    id: "webhook-stale-accepted",
    where: "webhooks.ts: a delivery's timestamp is recent",
    lets: "a captured delivery replayed later (HubSpot, Slack, generic)",
    edits: [
      {
        file: `${ADV}/webhooks.ts.hbs`,
        find: "  if (!isFresh(timestamp, config.toleranceSeconds, now)) return",
        replace: "  if (false && !isFresh(timestamp, config.toleranceSeconds, now)) return",
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
  },
  {
    id: "webhook-stripe-stale-accepted",
    where: "webhooks.ts: the replay window applies to Stripe's t= too",
    lets: "a Stripe delivery with a valid v1 signature and t ten minutes old",
    edits: [
      {
        file: `${ADV}/webhooks.ts.hbs`,
        find: "  if (!isFresh(timestamp, config.toleranceSeconds, now)) return",
        replace: '  if (config.scheme !== "stripe" && !isFresh(timestamp, config.toleranceSeconds, now)) return',
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
  },
  {
    id: "webhook-replay-stored",
    where: "step 002 (webhooks): a delivery is stored once (its replay key is unique)",
    lets: "a replayed delivery stored (and acted on) twice",
    edits: [
      {
        file: "templates/advanced/integration/supabase/migrations/{{timestamp}}_{{snake}}_002_webhooks.sql.hbs",
        find: "  replay_key text not null unique,\n",
        replace: "  replay_key text not null,\n",
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
  },
  // The admins' health page (schema 004)
  {
    id: "health-any-user",
    where: "schema 004: the health functions check the admin claim",
    lets: "every signed-in user reading every integration's health and retrying jobs",
    edits: [
      {
        file: HEALTH,
        find: "      and exists (select 1 from nexus_integrate.admin_rule r where (auth.jwt() #>> r.claim_path) = r.claim_value),",
        replace: "      and true,",
      },
    ],
    tests: ["tests/verify/health.test.ts"],
  },
  {
    id: "health-anonymous-admin",
    where: "schema 004: an anonymous user is no admin",
    lets: "an anonymous sign-in carrying the claim",
    edits: [
      {
        file: HEALTH,
        find: "      and not coalesce((auth.jwt() ->> 'is_anonymous')::boolean, false)\n",
        replace: "",
      },
    ],
    tests: ["tests/verify/health.test.ts"],
  },
  {
    id: "health-any-role",
    where: "schema 004: an admin's token has the authenticated role",
    lets: "a token of another role carrying the claim",
    edits: [
      {
        file: HEALTH,
        find: "    (auth.jwt() ->> 'role') = 'authenticated'\n      and not",
        replace: "    true\n      and not",
      },
    ],
    tests: ["tests/verify/health.test.ts"],
  },
  {
    id: "health-report-granted",
    where: "schema 008: the report that replaces 004's stays unexecutable by signed-in users (only the two checked functions are)",
    lets: "the unchecked report function called directly",
    edits: [
      {
        file: REVOCATION_EVENTS,
        find: "revoke all on function nexus_integrate.health_report(text) from public, anon, authenticated;\n",
        replace: "grant execute on function nexus_integrate.health_report(text) to authenticated;\n",
      },
    ],
    tests: ["tests/verify/health.test.ts"],
  },
  {
    id: "revocation-refusal-ignored",
    where: "oauth.ts: a provider's own revocation answer is read (2xx, and Slack's ok)",
    lets: "disconnect reporting revoked: true while the grant stays live at the provider",
    edits: [
      {
        file: `${T}/oauth.ts.hbs`,
        find: "  if (!response.ok || code !== null) {\n",
        replace: "  if (false) {\n",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
  },
  {
    id: "revocation-expired-bearer",
    where: "oauth.ts: an expired access token is refreshed before a revocation that names the grant by it",
    lets: "Dropbox's, Slack's, Zendesk's and Miro's refresh tokens outliving the disconnect (the revocation call is refused)",
    edits: [
      {
        file: `${T}/oauth.ts.hbs`,
        find: "    return (await refreshTokens(provider, credentials, deps, input.refreshToken)).accessToken;\n",
        replace: "",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
  },
  {
    id: "start-unthrottled",
    where: "store.ts: a user holds at most 10 unfinished sign-ins per provider",
    lets: "a script looping on start filling oauth_states without bound",
    edits: [
      {
        file: `${T}/store.ts.hbs`,
        find: "          ) < ${limit}\n",
        replace: "          ) >= 0\n",
      },
    ],
    tests: [OAUTH],
    grep: "unfinished sign-ins",
  },
  {
    id: "start-throttle-unlocked",
    where: "store.ts: the start count is taken under a per-user lock",
    lets: "concurrent starts all passing the count (each sees the table before the others' inserts)",
    edits: [
      {
        file: `${T}/store.ts.hbs`,
        find: "        await tx`select pg_advisory_xact_lock(hashtextextended(${`${row.userId}:${row.provider}`}, 0))`;\n",
        replace: "",
      },
    ],
    tests: [OAUTH],
    grep: "unfinished sign-ins|racing for",
  },
  {
    id: "webhook-retry-by-timestamp",
    where: "webhooks.ts: a delivery the provider names is de-duplicated on that id",
    lets: "a provider's re-signed retry (Stripe, Slack, HubSpot) stored as a second event",
    edits: [
      {
        file: `${ADV}/webhooks.ts.hbs`,
        find: "  if (eventId !== null) return { ok: true, replayKey: await sha256Hex(`${config.scheme}:id:${eventId}`) };\n",
        replace: "",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
  },
  {
    id: "notion-placeholder-signs",
    where: "webhooks.ts: while Notion's secret is the setup placeholder, every delivery is refused",
    lets: "deliveries forged with the public placeholder stored during setup",
    edits: [
      {
        file: `${ADV}/webhooks.ts.hbs`,
        find: "      if (scheme === \"notion\" && deps.secret === NOTION_AWAITING_VERIFICATION) {\n",
        replace: "      if (false) {\n",
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
    grep: "verification_token",
  },
  // Least privilege (schema step 007, integration steps 004 and 005)
  {
    id: "claim-takes-all",
    where: "schema 007: a claim leases one job (003's claim, under RLS, leased them all)",
    lets: "one worker leasing every queued job of an integration under RLS, the rest idle until the leases run out",
    edits: [
      {
        file: ROLES,
        find: "create or replace function nexus_integrate.claim_sync_job(\n",
        replace: "create or replace function nexus_integrate.claim_sync_job_unused(\n",
      },
    ],
    tests: ["tests/verify/cron.test.ts"],
  },
  {
    id: "function-role-skipped",
    where: "store.ts: every query runs under the integration's role (set local role)",
    lets: "function SQL running as the database owner: every table of every schema in reach",
    edits: [
      {
        file: `${T}/runtime.ts.hbs`,
        find: "store: createPostgresStore(asRole(db, provider.databaseRole), db),",
        replace: "store: createPostgresStore(db, db),",
      },
    ],
    tests: [OAUTH],
    grep: "runs as nexus_integrate_fn",
  },
  {
    id: "job-calls-as-owner",
    where: "schema 009: the job system's entry points take the integration's role before the call",
    lets: "every page a worker stores, and every claim, written as the database owner",
    edits: [
      {
        file: JOB_CALLS,
        find: "  perform pg_catalog.set_config('role', nexus_integrate.function_role(p_integration), true);\n",
        replace: "",
      },
    ],
    tests: [OAUTH],
    grep: "runs as nexus_integrate_fn",
  },
  {
    id: "job-calls-role-kept",
    where: "schema 009: an entry point puts the caller's role back after the call",
    lets: "the rest of the owner's statement (and transaction) running under an integration's role it did not ask for",
    edits: [
      {
        file: JOB_CALLS,
        find: "  return query select * from nexus_integrate.claim_sync_job(p_provider, p_worker, p_lease_seconds, p_user);\n  perform pg_catalog.set_config('role', prior, true);\n",
        replace: "  return query select * from nexus_integrate.claim_sync_job(p_provider, p_worker, p_lease_seconds, p_user);\n",
      },
    ],
    tests: [CLI_TEST],
    grep: "least privilege",
  },
  {
    id: "job-calls-public",
    where: "schema 009: the entry points are the owner's alone",
    lets: "one integration's function role taking another's through an entry point",
    edits: [
      {
        file: JOB_CALLS,
        find: "  from public, anon, authenticated, service_role;\n",
        replace: "  from anon, authenticated, service_role;\n",
      },
    ],
    tests: [CLI_TEST],
    grep: "least privilege",
  },
  {
    id: "function-role-all-tokens",
    where: "schema 007: a function role sees only its own integration's tokens",
    lets: "one integration's function reading and rewriting every other integration's tokens",
    edits: [
      {
        file: ROLES,
        find: "create policy oauth_tokens_function_own on nexus_integrate.oauth_tokens\n  for all to nexus_integrate_function\n  using (provider = (select nexus_integrate.function_integration()))\n  with check (provider = (select nexus_integrate.function_integration()));\n",
        replace: "create policy oauth_tokens_function_own on nexus_integrate.oauth_tokens\n  for all to nexus_integrate_function using (true) with check (true);\n",
      },
    ],
    tests: [CLI_TEST],
    grep: "least privilege",
  },
  {
    id: "records-granted-to-group",
    where: "step 004: an integration's records table is granted to its own role only",
    lets: "one integration's function writing into another integration's records",
    edits: [
      {
        file: FN_ROLE,
        find: "grant select, insert, update, delete on table public.{{tables.records}} to {{dbRoles.functions}};\ncreate policy {{tables.records}}_function on public.{{tables.records}}\n  for all to {{dbRoles.functions}} using (true) with check (true);\n",
        replace: "grant select, insert, update, delete on table public.{{tables.records}} to nexus_integrate_function;\ncreate policy {{tables.records}}_function on public.{{tables.records}}\n  for all to nexus_integrate_function using (true) with check (true);\n",
      },
    ],
    tests: [CLI_TEST],
    grep: "least privilege",
  },
  {
    id: "webhook-role-reads",
    where: "step 005: the webhook receiver's role may only insert deliveries",
    lets: "an unauthenticated endpoint's SQL reading every stored delivery",
    edits: [
      {
        file: WH_ROLE,
        find: "grant insert (replay_key, payload) on table nexus_integrate.{{tables.webhookEvents}} to {{dbRoles.webhooks}};\n",
        replace: "grant select, insert on table nexus_integrate.{{tables.webhookEvents}} to {{dbRoles.webhooks}};\n",
      },
    ],
    tests: [CLI_TEST],
    grep: "least privilege",
  },
  {
    id: "webhook-receiver-as-owner",
    where: "webhooks function: its SQL runs under the integration's webhook role (step 005)",
    lets: "an unauthenticated endpoint's SQL running as the database owner",
    edits: [
      {
        file: "templates/advanced/integration/supabase/functions/{{id}}-webhooks/index.ts.hbs",
        find: "asRole(db, {{tsString dbRoles.webhooks}})",
        replace: 'asRole(db, "postgres")',
      },
    ],
    tests: ["tests/verify/webhooks.test.ts"],
    grep: "nexus_integrate_wh_hubspot",
  },
  {
    id: "revocation-outcome-unrecorded",
    where: "exchange-handler: disconnect records whether the provider revoked the grant (schema step 008)",
    lets: "a failed revocation leaving a live grant at the provider with no trace once the row is gone",
    edits: [
      {
        file: `${T}/exchange-handler.ts.hbs`,
        find: "    if (revoked || revocationError) {\n",
        replace: "    if (false) {\n",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
    grep: "^stripe \\(basic\\)",
  },
  {
    id: "intuit-revokes-access-token",
    where: "oauth.ts: basic-json-refresh (Intuit) revokes with the refresh token",
    lets: "a disconnect after the access token's hour sending a dead token, so the grant outlives it at Intuit",
    edits: [
      {
        file: `${T}/oauth.ts.hbs`,
        find: '(input.refreshToken ?? input.accessToken)',
        replace: "input.accessToken",
      },
    ],
    tests: ["tests/verify/providers.test.ts"],
    grep: "^quickbooks \\(basic\\)",
  },
  // remove (src/commands/remove.ts)
  {
    id: "remove-without-yes",
    where: "remove: without a terminal, the migration that deletes data needs --yes",
    lets: "a script's `remove` writing a migration that deletes every user's connections and records, unasked",
    edits: [
      {
        file: "src/commands/remove.ts",
        find: "    if (!options.yes) {\n",
        replace: "    if (false as boolean) {\n",
      },
    ],
    tests: ["tests/e2e/regenerate.test.ts"],
    grep: "without a terminal and without --yes",
  },
];
