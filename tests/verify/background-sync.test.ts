import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseDatabase, type TestDb } from "../helpers/postgres.js";
import { startSyncWorld, WORKER_SECRET, type SyncWorld } from "../helpers/sync-harness.js";
import { userJwtFor } from "../helpers/jwt.js";

/**
 * Background sync with real workers: four worker processes (the generated `<id>-sync` functions, unchanged,
 * under the gateway stand-in) on 1,200 connections across four presets, driven the way Supabase Cron and pg_net
 * drive them, against the provider doubles. One worker is SIGKILLed mid-page; HubSpot's doubles enforce a per-app
 * request budget that binds; Microsoft's rotating refresh tokens are all about to expire.
 */
const PRESETS = ["hubspot", "github", "google-workspace", "microsoft"];
const PER_PRESET = 300;
/**
 * HubSpot's budget in this scenario, per app: the double enforces it, the workers are told it. Windows of 2 s (the
 * real ones are 10 s): a worker grants nothing in a window's last quarter, so that a request granted late in one
 * window does not reach the provider in the next; with 1 s windows that margin, 250 ms, is less than a loaded
 * two-core CI machine may take between the grant and the request.
 */
const HUBSPOT_BUDGET = { requests: 120, windowSeconds: 2, per: "app" as const };

let db: TestDb;
let world: SyncWorld;

const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;

beforeAll(async () => {
  db = await createSupabaseDatabase();
  world = await startSyncWorld({
    db,
    presets: PRESETS,
    perPreset: PER_PRESET,
    // three to five items: two or three pages each (the doubles page two items at a time)
    items: (i) => 3 + (i % 3),
    workers: 4,
    expiring: ["microsoft"],
    env: {
      HUBSPOT_RATE_LIMIT: `${HUBSPOT_BUDGET.requests}/${HUBSPOT_BUDGET.windowSeconds}/app`,
      NEXUS_WORKER_LEASE_SECONDS: "3",
      NEXUS_WORKER_BUDGET_SECONDS: "8",
      NEXUS_SYNC_MAX_ATTEMPTS: "3",
    },
  });
  world.doubles.budgets.set("hubspot", HUBSPOT_BUDGET);
  // Every record write of the first run is an insert: an update would be a record stored twice.
  for (const preset of PRESETS) {
    const table = `${preset.replace(/-/g, "_")}_records`;
    await db.exec(`
      create table if not exists public.test_record_updates (tbl text, n int);
      create or replace function public.test_count_update() returns trigger language plpgsql security definer as $$
      begin insert into public.test_record_updates values (tg_table_name, 1); return new; end $$;
      create trigger test_count_update after update on public.${table} for each row execute function public.test_count_update();
    `);
  }
}, 600_000);

afterAll(async () => {
  await world?.close();
  await db?.close();
});

describe("1,200 connections, four presets, four workers", () => {
  const victim = () => world.connections.find((c) => c.preset === "microsoft" && c.grant.items === 5)!;

  it("a worker SIGKILLed mid-page loses nothing: another resumes the job from its checkpoint when the lease runs out", async () => {
    const target = victim();
    // The victim's job is the oldest queued Microsoft job: the first worker to claim one takes it.
    await db.query("update nexus_integrate.sync_jobs set queued_at = now() - interval '1 hour' where user_id = $1", [target.userId]);
    const doomed = await world.startWorker();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      world.doubles.onApiRequest = (grant, url) => {
        // Hold its second page: the first is stored (with its checkpoint), the second is in flight when it dies.
        if (grant === target.grant && url.searchParams.has("$skiptoken")) {
          world.doubles.onApiRequest = null;
          resolve();
          return new Promise<void>((r) => (release = r));
        }
      };
    });
    const call = fetch(`${doomed.url}/functions/v1/microsoft-sync`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${WORKER_SECRET}` },
      body: JSON.stringify({ worker: true }),
    }).catch(() => undefined);
    await held;
    doomed.process.kill("SIGKILL");
    await doomed.process.catch(() => undefined);
    await call;
    release();
    const stored = await count("select count(*)::int as n from public.microsoft_records where user_id = $1", [target.userId]);
    expect(stored, "its first page was stored before it died").toBe(2);
    const job = await db.query<{ lease_owner: string | null; checkpoint: { pages: number } | null }>(
      "select lease_owner, checkpoint from nexus_integrate.sync_jobs where user_id = $1",
      [target.userId],
    );
    expect(job.rows[0]!.lease_owner).not.toBeNull();
    expect(job.rows[0]!.checkpoint!.pages).toBe(1);
  });

  it("four workers sync every connection: no record lost or stored twice, no refresh token spent twice, no request over a budget", async () => {
    const started = Date.now();
    await world.drain({ timeoutMs: 240_000, tickMs: 400 });
    const elapsed = (Date.now() - started) / 1000;

    // Nothing lost: every connection has all of its account's items.
    for (const preset of PRESETS) {
      const table = `${preset.replace(/-/g, "_")}_records`;
      const { rows } = await db.query<{ user_id: string; n: number }>(`select user_id, count(*)::int as n from public.${table} group by user_id`);
      const byUser = new Map(rows.map((r) => [r.user_id, r.n]));
      const missing = world.connections.filter((c) => c.preset === preset && byUser.get(c.userId) !== c.grant.items);
      expect(missing.map((c) => `${c.userId}: ${byUser.get(c.userId) ?? 0}/${c.grant.items}`), preset).toEqual([]);
    }
    // Nothing stored twice.
    expect(await count("select count(*)::int as n from public.test_record_updates")).toBe(0);
    // Each connection finished once, stamped, and is scheduled again.
    expect(await count("select count(*)::int as n from nexus_integrate.sync_jobs where queued_at is not null or dead_at is not null or lease_owner is not null")).toBe(0);
    expect(await count("select count(*)::int as n from public.nexus_user_integrations where last_sync_at is null or status <> 'connected'")).toBe(0);
    expect(await count("select count(*)::int as n from public.nexus_integration_events where event_type = 'data_synced'")).toBe(PRESETS.length * PER_PRESET);
    expect(await count("select count(*)::int as n from nexus_integrate.sync_jobs where next_run_at < now() + interval '10 minutes'")).toBe(0);

    // Every Microsoft token was about to expire: each refreshed exactly once, no rotated token presented again.
    const microsoft = world.connections.filter((c) => c.preset === "microsoft");
    expect(microsoft.filter((c) => c.grant.refreshes !== 1).map((c) => `${c.userId}: ${c.grant.refreshes}`)).toEqual([]);
    expect(world.doubles.refreshReuse.count).toBe(0);

    // The victim's job was resumed at its second page: its first page was never requested again.
    const target = victim();
    const pages = world.doubles.requests.filter((r) => r.preset === "microsoft" && r.endpoint === "api" && r.headers.authorization?.endsWith(target.grant.accessToken));
    expect(pages.filter((r) => !new URL(r.path, "http://x").searchParams.has("$skiptoken")), "page 1 once").toHaveLength(1);

    // HubSpot's budget bound (its requests need several windows) and was never exceeded.
    expect(world.doubles.excess.count).toBe(0);
    const hubspotRequests = world.doubles.requests.filter((r) => r.preset === "hubspot" && r.endpoint === "api").length;
    expect(hubspotRequests).toBeGreaterThanOrEqual(PER_PRESET * 2);
    expect(elapsed).toBeGreaterThanOrEqual((hubspotRequests / HUBSPOT_BUDGET.requests) * HUBSPOT_BUDGET.windowSeconds - 2);
  });

  it("the next runs list only what changed (GitHub since, Google's sync token, Graph's delta link) and apply the deletions Google and Graph report", async () => {
    const github = world.connections.filter((c) => c.preset === "github");
    const google = world.connections.filter((c) => c.preset === "google-workspace");
    const microsoft = world.connections.filter((c) => c.preset === "microsoft" && c !== victim());
    const changedAt = Date.now();
    github[0]!.grant.changed = new Map([[2, changedAt]]);
    google[0]!.grant.deleted = new Map([[1, changedAt]]);
    google[1]!.grant.changed = new Map([[3, changedAt]]);
    microsoft[0]!.grant.deleted = new Map([[2, changedAt]]);
    microsoft[0]!.grant.changed = new Map([[3, changedAt]]);
    const before = world.doubles.requests.length;
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() where provider in ('github', 'google-workspace', 'microsoft')");
    await world.drain({ timeoutMs: 120_000, tickMs: 300 });
    const requests = world.doubles.requests.slice(before).filter((r) => r.endpoint === "api");
    const githubCalls = requests.filter((r) => r.preset === "github");
    const googleCalls = requests.filter((r) => r.preset === "google-workspace");
    // One request each (nothing changed for most: an empty first page), every one incremental.
    expect(githubCalls).toHaveLength(github.length);
    expect(githubCalls.every((r) => new URL(r.path, "http://x").searchParams.has("since"))).toBe(true);
    expect(googleCalls).toHaveLength(google.length);
    expect(googleCalls.every((r) => new URL(r.path, "http://x").searchParams.has("syncToken"))).toBe(true);
    const synced = async (user: string) =>
      (await db.query<{ details: { records: number } }>(
        "select details from public.nexus_integration_events where user_id = $1 and event_type = 'data_synced' order by id desc limit 1",
        [user],
      )).rows[0]!.details.records;
    expect(await synced(github[0]!.userId)).toBe(1);
    expect(await synced(github[1]!.userId)).toBe(0);
    expect(await synced(google[1]!.userId)).toBe(1);
    const left = await db.query<{ external_id: string }>("select external_id from public.google_workspace_records where user_id = $1 order by external_id", [google[0]!.userId]);
    expect(left.rows.map((r) => r.external_id), "the cancelled event is deleted").not.toContain("evt1");
    expect(left.rows).toHaveLength(google[0]!.grant.items! - 1);
    // Graph: every round starts from the saved @odata.deltaLink; an @removed entry deletes the event.
    const graphCalls = requests.filter((r) => r.preset === "microsoft");
    expect(graphCalls.every((r) => new URL(r.path, "http://x").searchParams.has("$deltatoken"))).toBe(true);
    expect(await synced(microsoft[0]!.userId)).toBe(1);
    expect(await synced(microsoft[1]!.userId)).toBe(0);
    const events = await db.query<{ external_id: string }>("select external_id from public.microsoft_records where user_id = $1", [microsoft[0]!.userId]);
    expect(events.rows.map((r) => r.external_id)).not.toContain("AAMkAGI2T2");
    expect(events.rows).toHaveLength(microsoft[0]!.grant.items! - 1);
  });

  it("a revoked grant ends in needs_reauth and stops the schedule: the dispatcher does not queue it again", async () => {
    const revoked = world.connections.filter((c) => c.preset === "github")[6]!;
    revoked.grant.revoked = true;
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() where user_id = $1", [revoked.userId]);
    await world.drain({ timeoutMs: 30_000, tickMs: 200 });
    const status = await db.query<{ status: string }>("select status from public.nexus_user_integrations where user_id = $1", [revoked.userId]);
    expect(status.rows[0]!.status).toBe("needs_reauth");
    const parked = await db.query<{ queued_at: Date | null; lease_owner: string | null }>("select queued_at, lease_owner from nexus_integrate.sync_jobs where user_id = $1", [revoked.userId]);
    expect(parked.rows[0]).toEqual({ queued_at: null, lease_owner: null });
    // Due again: the dispatcher does not queue a connection that waits for its user.
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() - interval '1 minute' where user_id = $1", [revoked.userId]);
    const calls = world.doubles.requests.length;
    await world.tick();
    const after = await db.query<{ queued_at: Date | null }>("select queued_at from nexus_integrate.sync_jobs where user_id = $1", [revoked.userId]);
    expect(after.rows[0]!.queued_at).toBeNull();
    await world.drain({ timeoutMs: 10_000, tickMs: 100 });
    expect(world.doubles.requests.length, "no call to the provider").toBe(calls);
  });

  it("a provider failure that is not the user's: backoff, then a dead letter with its last error after NEXUS_SYNC_MAX_ATTEMPTS", async () => {
    const failing = world.connections.filter((c) => c.preset === "hubspot")[7]!;
    world.doubles.failWith.set(failing.grant.accessToken, { status: 503, body: { status: "error", message: "Service unavailable" } });
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() where user_id = $1", [failing.userId]);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await world.tick();
      await world.settle();
      const { rows } = await db.query<{ attempts: number; run_after: Date | null; dead_at: Date | null; last_error: string | null }>(
        "select attempts, run_after, dead_at, last_error from nexus_integrate.sync_jobs where user_id = $1",
        [failing.userId],
      );
      expect(rows[0]!.attempts).toBe(attempt);
      expect(rows[0]!.last_error).toBe("sync_failed");
      if (attempt < 3) {
        waits.push((rows[0]!.run_after!.getTime() - Date.now()) / 1000);
        await db.query("update nexus_integrate.sync_jobs set run_after = null where user_id = $1", [failing.userId]);
      } else {
        expect(rows[0]!.dead_at).not.toBeNull();
      }
    }
    expect(waits[0]).toBeLessThanOrEqual(3);
    expect(waits[1]).toBeLessThanOrEqual(6);
    expect(waits[1]).toBeGreaterThan(1);
    const dead = await db.query<{ details: Record<string, unknown> }>(
      "select details from public.nexus_integration_events where user_id = $1 and event_type = 'sync_failed' order by id desc limit 1",
      [failing.userId],
    );
    expect(dead.rows[0]!.details).toMatchObject({ dead: true, error: "sync_failed" });
    world.doubles.failWith.clear();
  });

  it("the worker is entered with the worker secret only: a user's JWT or a wrong secret is refused, and nothing is claimed", async () => {
    const user = world.connections.find((c) => c.preset === "hubspot")!;
    await db.query("update nexus_integrate.sync_jobs set queued_at = now(), next_run_at = now() where user_id = $1", [user.userId]);
    const withJwt = await world.callWorker("hubspot", 0, `Bearer ${userJwtFor("legacy", user.userId)}`);
    expect(withJwt.status).toBe(401);
    const wrong = await world.callWorker("hubspot", 0, `Bearer ${WORKER_SECRET.slice(0, -1)}x`);
    expect(wrong.status).toBe(401);
    const job = await db.query<{ lease_owner: string | null; queued_at: Date | null }>("select lease_owner, queued_at from nexus_integrate.sync_jobs where user_id = $1", [user.userId]);
    expect(job.rows[0]).toMatchObject({ lease_owner: null });
    expect(job.rows[0]!.queued_at).not.toBeNull();
    const right = await world.callWorker("hubspot", 0);
    expect(right.status).toBe(200);
    expect(right.body.done).toBeGreaterThanOrEqual(1);
  });
});
