import { execa } from "execa";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BIN, copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";
import { createSupabaseDatabase, dbPush, type TestDb, type TestTx } from "../helpers/postgres.js";

/**
 * The health page's SQL (schema step 004) on a real PostgreSQL, migrated by `supabase db push`: the hourly roll-up
 * the trigger keeps (exact, also under concurrent inserts), the figures computed from a seeded mix of events, who
 * may read them (the admin claim in app_metadata, nobody else: not user_metadata, not an anonymous user, not anon),
 * what a non-admin's own queries reach (RLS and grants), and the retry of a dead letter.
 */
let db: TestDb;
let app: string;
const doctor = (args: string[]) => execa("node", [BIN, "doctor", "--target", app, "--db-url", db.url, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });
const users = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-0000000000${String(i + 10)}`);
const ADMIN_CLAIMS = { app_metadata: { role: "admin" } };

interface HealthIntegration {
  id: string;
  frequency_seconds: number | null;
  metrics: Record<string, number | null>;
  counts: Record<string, number>;
  series: { at: string; events: number; data_sync_success: number | null; user_adoption_rate: number | null }[];
  connections: { connected: number; needs_reauth: number; error: number; total: number };
  reauth_users: string[];
  freshness: { p50_seconds: number | null; p95_seconds: number | null; synced: number; never_synced: number };
  queue: { depth: number; running: number; oldest_due_seconds: number | null; dead: number };
  rate_limit: { paused: number; paused_until: string | null };
  dead_letters: { user_id: string; last_error: string; attempts: number }[];
  failures: { user_id: string; event_type: string; details: Record<string, unknown> }[];
}
interface HealthReport {
  window: string;
  step_seconds: number;
  users: number;
  integrations: HealthIntegration[];
}

const report = async (window = "24h") =>
  (await db.query<{ r: HealthReport }>("select nexus_integrate.health_report($1) as r", [window])).rows[0]!.r;

const hubspot = (r: HealthReport) => r.integrations.find((i) => i.id === "hubspot")!;

/** The error a statement run as a Data API role ends with (its SQLSTATE and message), or null. */
async function refusal(fn: (tx: TestTx) => Promise<unknown>, role: "anon" | "authenticated" = "authenticated", claims: Record<string, unknown> = {}, user: string | null = users[0]!) {
  try {
    await db.asRole(role, role === "anon" ? null : user, fn, claims);
    return null;
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
}

/** Events of the mix below, `hoursAgo` before now. */
type Seed = [user: number, type: string, hoursAgo: number, durationMs?: number];
const MIX: Seed[] = [
  ...Array.from({ length: 10 }, (_, i): Seed => [i, "oauth_initiated", 3]),
  ...Array.from({ length: 8 }, (_, i): Seed => [i, "oauth_completed", 3]),
  [8, "oauth_failed", 3],
  [9, "oauth_failed", 2],
  ...Array.from({ length: 6 }, (_, i): Seed => [i, "token_refreshed", 1]),
  [6, "token_refresh_failed", 1],
  [7, "token_refresh_failed", 0],
  ...Array.from({ length: 15 }, (_, i): Seed => [i % 8, "data_synced", i % 3, 1000 + 200 * i]),
  [3, "sync_failed", 0],
  [4, "sync_failed", 0],
  [5, "sync_failed", 30], // outside 24 h, inside 7 d
];

async function seedMix(): Promise<void> {
  await db.query(
    `insert into public.nexus_integration_events (user_id, integration_id, event_type, details, duration_ms, created_at)
     select ($1::uuid[])[s.u + 1], 'hubspot', s.t, jsonb_build_object('error', 'e-' || s.t || '-' || s.u), s.d,
            now() - make_interval(hours => s.h)
     from jsonb_to_recordset($2::jsonb) as s(u int, t text, h int, d int)`,
    [users, MIX.map(([u, t, h, d]) => ({ u, t, h, d: d ?? null }))],
  );
}

function expectedRate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((10000 * numerator) / denominator) / 100;
}

beforeAll(async () => {
  app = copyExampleApp();
  await generate(app, "hubspot");
  await generate(app, "microsoft");
  db = await createSupabaseDatabase();
  await dbPush(app, db);
  await db.query("insert into auth.users (id, email) select u, u || '@example.com' from unnest($1::uuid[]) u", [users]);
}, 240_000);

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.query("delete from public.nexus_user_integrations");
  await db.query("delete from public.nexus_integration_events");
  await db.query("delete from nexus_integrate.event_counts");
  await db.query("delete from nexus_integrate.request_budgets");
});

describe("the roll-up", () => {
  it("counts every event into its hour and type, with the sync durations, in the event's own statement", async () => {
    await seedMix();
    const { rows: direct } = await db.query<{ k: string; n: number; ms: number }>(
      `select event_type || '@' || date_bin('1 hour', created_at, '2000-01-01 00:00+00') as k, count(*)::int as n, coalesce(sum(duration_ms), 0)::int as ms
       from public.nexus_integration_events group by 1 order by 1`,
    );
    const { rows: rolled } = await db.query<{ k: string; n: number; ms: number }>(
      `select event_type || '@' || bucket as k, events::int as n, duration_ms_sum::int as ms from nexus_integrate.event_counts where grain_seconds = 3600 order by 1`,
    );
    expect(rolled).toEqual(direct);
    // The 6-hour and daily grains hold the same events, in their own buckets.
    for (const grain of [21600, 86400]) {
      const { rows: coarse } = await db.query<{ k: string; n: number }>(
        `select event_type || '@' || date_bin(make_interval(secs => $1), created_at, '2000-01-01 00:00+00') as k, count(*)::int as n
         from public.nexus_integration_events group by 1 order by 1`,
        [grain],
      );
      const { rows: kept } = await db.query<{ k: string; n: number }>(
        "select event_type || '@' || bucket as k, events::int as n from nexus_integrate.event_counts where grain_seconds = $1 order by 1",
        [grain],
      );
      expect(kept, `grain ${grain}`).toEqual(coarse);
    }
    expect(direct.reduce((sum, r) => sum + r.n, 0)).toBe(MIX.length);
  });

  it("stays exact under concurrent inserts of many statements (property: any batches, any order)", async () => {
    const types = ["oauth_initiated", "data_synced", "sync_failed"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ type: fc.constantFrom(...types), hoursAgo: fc.integer({ min: 0, max: 5 }), ms: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (batches) => {
          await db.query("delete from public.nexus_integration_events");
          await db.query("delete from nexus_integrate.event_counts");
          await Promise.all(
            batches.map((batch) =>
              db.query(
                `insert into public.nexus_integration_events (user_id, integration_id, event_type, duration_ms, created_at)
                 select $1, 'hubspot', b.t, b.ms, now() - make_interval(hours => b.h) from jsonb_to_recordset($2::jsonb) as b(t text, h int, ms int)`,
                [users[0], batch.map((e) => ({ t: e.type, h: e.hoursAgo, ms: e.ms }))],
              ),
            ),
          );
          const { rows } = await db.query<{ grain: number; n: number; ms: number }>(
            "select grain_seconds as grain, coalesce(sum(events), 0)::int as n, coalesce(sum(duration_ms_sum), 0)::int as ms from nexus_integrate.event_counts group by 1 order by 1",
          );
          const all = batches.flat();
          const expected = { n: all.length, ms: all.reduce((sum, e) => sum + e.ms, 0) };
          expect(rows).toEqual([3600, 21600, 86400].map((grain) => ({ grain, ...expected })));
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("the figures", () => {
  beforeEach(async () => {
    // Connections: 8 connected (synced 10 min … 80 min ago), 2 need a reconnect, 1 in error and never synced.
    await db.query(
      `insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status, last_sync_at, connected_at)
       select u, 'hubspot', 'HubSpot',
              case when n <= 8 then 'connected' when n <= 10 then 'needs_reauth' else 'error' end,
              case when n <= 8 then now() - make_interval(mins => (10 * n)::int) end,
              now() - make_interval(hours => 3)
       from unnest($1::uuid[]) with ordinality as t(u, n) where n <= 11`,
      [users],
    );
    await seedMix();
    // A dead letter, and two jobs queued (one due since 5 minutes).
    await db.query("update nexus_integrate.sync_jobs set queued_at = null, dead_at = null");
    await db.query("update nexus_integrate.sync_jobs set dead_at = now(), attempts = 8, last_error = 'HubSpot answered 500' where user_id = $1", [users[10]]);
    await db.query("update nexus_integrate.sync_jobs set queued_at = now() - interval '5 minutes' where user_id = any($1)", [[users[0], users[1]]]);
  });

  it("the six playbook metrics over 24 h match the seeded events", async () => {
    const r = await report("24h");
    expect(r.step_seconds).toBe(3600);
    expect(r.users).toBe(users.length);
    const h = hubspot(r);
    const inDay = MIX.filter(([, , hours]) => hours < 24);
    const count = (type: string) => inDay.filter(([, t]) => t === type).length;
    const durations = inDay.filter(([, t]) => t === "data_synced").map(([, , , d]) => d!);
    const errors = count("oauth_failed") + count("token_refresh_failed") + count("sync_failed");
    expect(h.metrics).toEqual({
      oauth_success_rate: expectedRate(count("oauth_completed"), count("oauth_initiated")),
      token_refresh_rate: expectedRate(count("token_refreshed"), count("token_refreshed") + count("token_refresh_failed")),
      data_sync_success: expectedRate(count("data_synced"), count("data_synced") + count("sync_failed")),
      user_adoption_rate: expectedRate(11, users.length),
      error_rate: expectedRate(errors, inDay.length),
      avg_sync_duration: Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) / 1000,
    });
    expect(h.counts.events).toBe(inDay.length);
    // 24 hourly points, oldest first; the events fall in the hours they were recorded in.
    expect(h.series).toHaveLength(24);
    expect(h.series.reduce((sum, p) => sum + p.events, 0)).toBe(inDay.length);
    expect(h.series.at(-1)!.events).toBe(inDay.filter(([, , hours]) => hours === 0).length);
    // The 7-day window also holds the sync failure of 30 hours ago, in 6-hour points.
    const week = hubspot(await report("7d"));
    expect(week.counts.sync_failed).toBe(count("sync_failed") + 1);
    expect((await report("7d")).step_seconds).toBe(6 * 3600);
    expect(hubspot(await report("30d")).series).toHaveLength(30);
  });

  it("connections, freshness, the queue, dead letters and the latest failures", async () => {
    const h = hubspot(await report());
    expect(h.connections).toEqual({ connected: 8, needs_reauth: 2, error: 1, total: 11 });
    expect([...h.reauth_users].sort()).toEqual([users[8], users[9]].sort());
    // Ages 10, 20, … 80 minutes (the one in error never synced): p50 45 min, p95 76.5 min.
    expect(h.freshness.synced).toBe(8);
    expect(h.freshness.never_synced).toBe(1);
    expect(h.freshness.p50_seconds! / 60).toBeCloseTo(45, 0);
    expect(h.freshness.p95_seconds! / 60).toBeCloseTo(76.5, 0);
    expect(h.queue.depth).toBe(2);
    expect(h.queue.dead).toBe(1);
    expect(h.queue.oldest_due_seconds!).toBeGreaterThanOrEqual(299);
    expect(h.rate_limit).toEqual({ paused: 0, paused_until: null });
    // A 429 pauses one connection's requests (hubspot limits per connection); another provider's pause is not hubspot's.
    await db.query("select nexus_integrate.pause_requests($1, 120)", [`hubspot:${users[0]}`]);
    await db.query("select nexus_integrate.pause_requests('hubspot-x', 120)");
    const paused = hubspot(await report()).rate_limit;
    expect(paused.paused).toBe(1);
    expect(new Date(paused.paused_until!).getTime()).toBeGreaterThan(Date.now() + 100_000);
    expect(h.dead_letters).toEqual([expect.objectContaining({ user_id: users[10], last_error: "HubSpot answered 500", attempts: 8 })]);
    const failures = MIX.filter(([, t, hours]) => hours < 24 && /failed/.test(t));
    expect(h.failures).toHaveLength(failures.length);
    expect(h.failures[0]!.details).toHaveProperty("error");
    expect(new Set(h.failures.map((f) => f.event_type))).toEqual(new Set(["oauth_failed", "token_refresh_failed", "sync_failed"]));
    // Another integration with nothing recorded reads as empty, not as an error.
    const microsoft = (await report()).integrations.find((i) => i.id === "microsoft")!;
    expect(microsoft.metrics.oauth_success_rate).toBeNull();
    expect(microsoft.connections.total).toBe(0);
  });

  it("the integration's frequency is the one its worker last finished a run with", async () => {
    expect(hubspot(await report()).frequency_seconds).toBeNull();
    await db.query("update nexus_integrate.sync_jobs set queued_at = now() where user_id = $1", [users[2]]);
    await db.query("select * from nexus_integrate.claim_sync_job('hubspot', 'w1', 60, $1)", [users[2]]);
    const finished = await db.query("select * from nexus_integrate.finish_sync_job('hubspot', $1, 'w1', null, 900)", [users[2]]);
    expect(finished.rows).toHaveLength(1);
    expect(hubspot(await report()).frequency_seconds).toBe(900);
  });

  it("no token, no state and no verifier in what it returns", async () => {
    await db.query(
      "insert into nexus_integrate.oauth_tokens (user_id, provider, access_token, refresh_token) values ($1, 'hubspot', 'v1.secret-access', 'v1.secret-refresh')",
      [users[0]],
    );
    const text = JSON.stringify(await report("30d"));
    expect(text).not.toContain("secret-access");
    expect(text).not.toContain("secret-refresh");
  });

  it("doctor --db-url prints the same headline figures, and --json carries the whole report", async () => {
    const expected = hubspot(await report("24h"));
    const human = await doctor([]);
    const line = human.stdout.split("\n").find((l) => l.includes("hubspot: health"));
    const m = expected.metrics;
    const pct = (v: number | null) => `${Number(v!.toFixed(1))}%`;
    expect(line).toContain(
      `24h: OAuth success ${pct(m.oauth_success_rate!)}, token refresh ${pct(m.token_refresh_rate!)}, sync success ${pct(m.data_sync_success!)}, adoption ${pct(m.user_adoption_rate!)}, errors ${pct(m.error_rate!)}, average sync ${Number(m.avg_sync_duration!.toFixed(2))} s; 8 connected, 2 need reauth`,
    );
    const json = await doctor(["--json", "--window", "7d"]);
    const parsed = JSON.parse(json.stdout) as { health: HealthReport; findings: { integration: string; check: string; ok: boolean }[] };
    expect(parsed.health.window).toBe("7d");
    expect(hubspot(parsed.health).metrics).toEqual(hubspot(await report("7d")).metrics);
    expect(parsed.findings.filter((f) => f.check === "health").map((f) => f.integration).sort()).toEqual(["hubspot", "microsoft"]);
    const bad = await doctor(["--window", "1y"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--window: "1y" must be 24h, 7d or 30d');
  });

  it("doctor fails the health check when the data is older than twice the frequency at p95", async () => {
    await db.query("update nexus_integrate.integrations set sync_frequency_seconds = 600 where id = 'hubspot'");
    const human = await doctor([]);
    expect(human.stdout).toMatch(/FAIL {2}hubspot: health — .*: the data is older than twice the frequency at p95/);
    expect(human.stdout).toContain("the page: /integrations/health");
    await db.query("update nexus_integrate.integrations set sync_frequency_seconds = 3600 where id = 'hubspot'");
    expect((await doctor([])).stdout).toMatch(/ok {4}hubspot: health — /);
  });

  it("revocations (schema step 008): counted, a failed one listed among the failures, and doctor fails its check", async () => {
    await db.query(
      `insert into public.nexus_integration_events (user_id, integration_id, event_type, details, created_at) values
         ($1, 'hubspot', 'grant_revoked', '{}', now() - interval '2 hours'),
         ($2, 'hubspot', 'grant_revoked', '{}', now() - interval '1 hour'),
         ($3, 'hubspot', 'revocation_failed', '{"error": "invalid_grant"}', now()),
         ($3, 'hubspot', 'revocation_failed', '{"error": "too old"}', now() - interval '30 hours')`,
      [users[0], users[1], users[2]],
    );
    const h = hubspot(await report("24h"));
    expect([h.counts.grant_revoked, h.counts.revocation_failed]).toEqual([2, 1]);
    // Newest first, the revocation failure among the others of the window.
    expect(h.failures[0]).toMatchObject({ user_id: users[2], event_type: "revocation_failed", details: { error: "invalid_grant" } });
    expect(h.failures.filter((f) => f.event_type === "revocation_failed")).toHaveLength(1);
    expect(h.failures).toHaveLength(MIX.filter(([, t, hours]) => hours < 24 && /failed/.test(t)).length + 1);
    expect(hubspot(await report("7d")).counts.revocation_failed).toBe(2);
    // The other integration has none.
    expect((await report("24h")).integrations.find((i) => i.id === "microsoft")!.counts.revocation_failed).toBe(0);

    const out = (await doctor([])).stdout;
    expect(out).toContain("FAIL  hubspot: revocation — 24h: 1 disconnect(s) could not revoke the grant at the provider (latest: invalid_grant)");
    expect(out).not.toContain("microsoft: revocation");
    await db.query("delete from public.nexus_integration_events where event_type = 'revocation_failed'");
    expect((await doctor([])).stdout).not.toContain("hubspot: revocation");
  });

  it("doctor says when the database's admin claim is not the config's, with the statement that aligns them", async () => {
    expect((await doctor([])).stdout).toContain('ok    health-admins — the health page\'s admins: app_metadata.role = "admin"');
    await db.query("update nexus_integrate.admin_rule set claim_value = 'owner'");
    try {
      const out = (await doctor([])).stdout;
      expect(out).toContain('FAIL  health-admins — the database marks admins by app_metadata.role = "owner", the config by app_metadata.role = "admin" (the default)');
      const fix = /fix: in a new migration: (insert into nexus_integrate\.admin_rule .*?;)/.exec(out)![1]!;
      await db.query(fix);
      expect((await doctor([])).stdout).toContain("ok    health-admins");
    } finally {
      await db.query("update nexus_integrate.admin_rule set claim_value = 'admin'");
    }
  });

  it("a window other than 24h, 7d or 30d is refused by name", async () => {
    await expect(report("1y")).rejects.toThrow(/p_window must be 24h, 7d or 30d/);
  });
});

describe("who may read it", () => {
  beforeEach(async () => {
    await db.query("insert into public.nexus_user_integrations (user_id, integration_id, integration_name) values ($1, 'hubspot', 'HubSpot'), ($2, 'hubspot', 'HubSpot')", [users[0], users[1]]);
    await seedMix();
    await db.query("update nexus_integrate.sync_jobs set dead_at = now(), queued_at = null, attempts = 8, last_error = 'boom' where user_id = $1", [users[1]]);
  });

  const health = (tx: TestTx) => tx.query<{ r: HealthReport }>("select public.nexus_integration_health('24h') as r");

  it("an admin (app_metadata.role = admin, set by the service role) reads the same figures as the owner", async () => {
    const asAdmin = await db.asRole("authenticated", users[0]!, health, ADMIN_CLAIMS);
    expect(hubspot(asAdmin.rows[0]!.r).metrics).toEqual(hubspot(await report("24h")).metrics);
    expect(hubspot(asAdmin.rows[0]!.r).counts.events).toBe(MIX.filter(([, , h]) => h < 24).length);
  });

  it("everyone else is not allowed (42501), not shown empty figures", async () => {
    const notAllowed = { code: "42501", message: expect.stringContaining("not allowed") };
    expect(await refusal(health)).toEqual(notAllowed);
    // user_metadata is the user's own to edit.
    expect(await refusal(health, "authenticated", { user_metadata: { role: "admin" } })).toEqual(notAllowed);
    // Another value, another claim.
    expect(await refusal(health, "authenticated", { app_metadata: { role: "member" } })).toEqual(notAllowed);
    // An anonymous sign-in carrying the claim.
    expect(await refusal(health, "authenticated", { ...ADMIN_CLAIMS, is_anonymous: true })).toEqual(notAllowed);
    // The claim on a token whose role is not authenticated.
    expect(await refusal(health, "authenticated", { ...ADMIN_CLAIMS, role: "anon" })).toEqual(notAllowed);
    // anon cannot even call it.
    expect((await refusal(health, "anon"))?.code).toBe("42501");
    expect((await refusal(health, "anon"))?.message).toMatch(/permission denied/);
  });

  it("a non-admin's own queries reach only their own events; the roll-up, jobs, rule and report are refused", async () => {
    const own = await db.asRole("authenticated", users[0]!, (tx) => tx.query<{ n: number }>("select count(*)::int as n from public.nexus_integration_events"));
    expect(own.rows[0]!.n).toBe(MIX.filter(([u]) => u === 0).length);
    for (const probe of [
      "select * from nexus_integrate.event_counts",
      "select * from nexus_integrate.sync_jobs",
      "select * from nexus_integrate.admin_rule",
      "select * from nexus_integrate.oauth_tokens",
      "select nexus_integrate.health_report('24h')",
      "select nexus_integrate.retry_dead_letter('hubspot', '00000000-0000-4000-8000-000000000010')",
      "update nexus_integrate.admin_rule set claim_value = 'member'",
    ]) {
      // An admin's direct queries are refused too: only the two functions check the claim.
      for (const claims of [{}, ADMIN_CLAIMS]) {
        const refused = await refusal((tx) => tx.query(probe), "authenticated", claims);
        expect(refused, `${probe} (${JSON.stringify(claims)})`).toEqual({ code: "42501", message: expect.stringMatching(/permission denied/) });
      }
    }
  });

  it("in the private schema, signed-in users may execute exactly the two admin functions", async () => {
    const { rows } = await db.query<{ fn: string }>(
      `select p.proname as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'nexus_integrate' and has_function_privilege('authenticated', p.oid, 'EXECUTE') order by 1`,
    );
    expect(rows.map((r) => r.fn)).toEqual(["admin_health", "admin_retry_dead_letter"]);
    const anon = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'nexus_integrate' and has_function_privilege('anon', p.oid, 'EXECUTE')`,
    );
    expect(anon.rows[0]!.n).toBe(0);
  });

  it("an admin retries a dead letter (queued at once, attempts reset); a non-admin may not", async () => {
    const retry = (tx: TestTx) => tx.query<{ ok: boolean }>("select public.nexus_integration_retry_sync('hubspot', $1) as ok", [users[1]]);
    expect(await refusal(retry)).toEqual({ code: "42501", message: expect.stringContaining("not allowed") });
    expect((await db.query<{ dead: boolean }>("select dead_at is not null as dead from nexus_integrate.sync_jobs where user_id = $1", [users[1]])).rows[0]!.dead).toBe(true);
    const done = await db.asRole("authenticated", users[0]!, retry, ADMIN_CLAIMS);
    expect(done.rows[0]!.ok).toBe(true);
    const { rows } = await db.query<{ dead_at: Date | null; queued_at: Date | null; attempts: number }>(
      "select dead_at, queued_at, attempts from nexus_integrate.sync_jobs where user_id = $1",
      [users[1]],
    );
    expect(rows[0]).toMatchObject({ dead_at: null, attempts: 0 });
    expect(rows[0]!.queued_at).not.toBeNull();
    // Not dead any more: a second retry does nothing.
    expect((await db.asRole("authenticated", users[0]!, retry, ADMIN_CLAIMS)).rows[0]!.ok).toBe(false);
  });
});
