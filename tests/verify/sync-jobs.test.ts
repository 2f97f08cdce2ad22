import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";
import { createSupabaseDatabase, dbPush, type TestDb } from "../helpers/postgres.js";

/**
 * The job system's SQL (schema step 003) on a real PostgreSQL, migrated by `supabase db push`: the claim, the
 * lease, the page store, the request budget, backoff and dead letters, and the dispatcher's calls through pg_net
 * (a stand-in with pg_net's signatures) with Vault's secrets (likewise). Each safety line has a test that fails
 * without it: the claim's SKIP LOCKED and lease check, the page store's owner check, the budget's limit.
 */
let db: TestDb;
const users = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i + 1}`);
const [A, B, C] = users as [string, string, string];

async function job(user: string) {
  const { rows } = await db.query<{
    queued_at: Date | null;
    run_after: Date | null;
    lease_owner: string | null;
    attempts: number;
    dead_at: Date | null;
    last_error: string | null;
    checkpoint: Record<string, unknown> | null;
    cursor: Record<string, unknown> | null;
    next_run_at: Date;
  }>("select * from nexus_integrate.sync_jobs where user_id = $1 and provider = 'hubspot'", [user]);
  return rows[0]!;
}

const claim = async (worker: string, user: string | null = null, lease = 60) =>
  (await db.query<{ user_id: string; checkpoint: Record<string, unknown> | null; resumed: boolean }>(
    "select * from nexus_integrate.claim_sync_job('hubspot', $1, $2, $3)",
    [worker, lease, user],
  )).rows[0] ?? null;

const storePage = async (worker: string, user: string, records: { external_id: string; data: unknown }[], checkpoint: object | null, removed: string[] = []) =>
  (await db.query<{ ok: boolean }>(
    "select nexus_integrate.store_sync_page('hubspot', $1, $2, $3::jsonb, $4::text[], $5::jsonb, 60) as ok",
    [user, worker, records, removed, checkpoint],
  )).rows[0]!.ok;

const records = async (user: string) =>
  (await db.query<{ external_id: string }>("select external_id from public.hubspot_records where user_id = $1 order by external_id", [user])).rows.map(
    (r) => r.external_id,
  );

beforeAll(async () => {
  const app = copyExampleApp();
  await generate(app, "hubspot");
  db = await createSupabaseDatabase();
  await dbPush(app, db);
  await db.query("insert into auth.users (id, email) select u, u || '@example.com' from unnest($1::uuid[]) u", [users]);
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.query("delete from public.nexus_user_integrations");
  await db.query("delete from nexus_integrate.request_budgets");
  await db.query("delete from public.hubspot_records");
  await db.query("delete from public.nexus_integration_events");
  await db.query(
    "insert into public.nexus_user_integrations (user_id, integration_id, integration_name) select u, 'hubspot', 'HubSpot' from unnest($1::uuid[]) u",
    [[A, B, C]],
  );
  // Oldest first: A, then B, then C.
  await db.query("update nexus_integrate.sync_jobs set queued_at = now() - make_interval(secs => 10 - array_position($1::uuid[], user_id))", [[A, B, C]]);
});

describe("jobs", () => {
  it("a new connection gets a queued job, due at once; a reconnect starts it over (no dead letter, full listing)", async () => {
    const fresh = await job(A);
    expect(fresh.queued_at).not.toBeNull();
    expect(fresh.next_run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    await db.query("update nexus_integrate.sync_jobs set dead_at = now(), attempts = 8, cursor = '{\"since\":\"x\"}', queued_at = null where user_id = $1", [A]);
    await db.query("update public.nexus_user_integrations set connected_at = now() + interval '1 second' where user_id = $1", [A]);
    expect(await job(A)).toMatchObject({ dead_at: null, attempts: 0, cursor: null, checkpoint: null });
    expect((await job(A)).queued_at).not.toBeNull();
  });

  it("claims the oldest queued job and passes over one another worker is claiming (SKIP LOCKED): it never waits", async () => {
    const other = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      await other.begin(async (tx) => {
        await tx`select 1 from nexus_integrate.sync_jobs where user_id = ${A} for update`;
        // Without SKIP LOCKED this claim would wait for the other transaction: the statement timeout fails it.
        const claimer = postgres(db.url, { max: 1, onnotice: () => undefined, connection: { statement_timeout: 2000 } });
        try {
          const rows = await claimer`select user_id from nexus_integrate.claim_sync_job('hubspot', 'w1', 60)`;
          expect(rows.map((r) => r.user_id)).toEqual([B]);
        } finally {
          await claimer.end();
        }
      });
    } finally {
      await other.end();
    }
  });

  it("a leased job is not claimed again until its lease runs out; then the next worker resumes from the checkpoint, and the first stores nothing more", async () => {
    expect((await claim("w1", A))!.user_id).toBe(A);
    expect(await storePage("w1", A, [{ external_id: "1", data: { n: 1 } }], { url: "https://api/next?after=1", json: null, listedFrom: "t", pages: 1 })).toBe(true);
    expect(await claim("w2", A), "leased: not claimable").toBeNull();
    expect((await claim("w2"))!.user_id, "the next queued one instead").toBe(B);

    await db.query("update nexus_integrate.sync_jobs set lease_until = now() - interval '1 second' where user_id = $1", [A]);
    const taken = (await claim("w3", A))!;
    expect(taken.resumed).toBe(true);
    expect(taken.checkpoint).toMatchObject({ url: "https://api/next?after=1", pages: 1 });
    // The first worker wakes up: its page is refused, nothing of it is stored.
    expect(await storePage("w1", A, [{ external_id: "2", data: {} }], null)).toBe(false);
    expect(await records(A)).toEqual(["1"]);
    expect(await storePage("w3", A, [{ external_id: "2", data: {} }], null)).toBe(true);
    expect(await records(A)).toEqual(["1", "2"]);
  });

  it("a reconnect while a worker runs the old connection's job takes the job from it: its next page is refused", async () => {
    await claim("w1", A);
    expect(await storePage("w1", A, [{ external_id: "1", data: {} }], { url: "u", json: null, listedFrom: "t", pages: 1 })).toBe(true);
    await db.query("update public.nexus_user_integrations set connected_at = now() + interval '1 second' where user_id = $1", [A]);
    expect(await storePage("w1", A, [{ external_id: "2", data: {} }], null)).toBe(false);
    expect(await job(A)).toMatchObject({ lease_owner: null, checkpoint: null, cursor: null });
  });

  it("a turn given back goes to the back of the queue; a parked job never comes due by itself; needs_reauth jobs are neither claimed nor counted as ready", async () => {
    await claim("w1", A);
    await db.query("select nexus_integrate.release_sync_job('hubspot', $1, 'w1', 0)", [A]);
    expect((await claim("w1"))!.user_id, "the next one, not the same again").toBe(B);
    await db.query("select nexus_integrate.release_sync_job('hubspot', $1, 'w1', 0, true)", [B]);
    expect((await job(B)).queued_at).toBeNull();
    await db.query("select nexus_integrate.dispatch_sync('hubspot')");
    expect((await job(B)).queued_at, "parked: the dispatcher does not queue it").toBeNull();
    // A queued job whose user must reconnect: not claimable, not ready (no worker is called for it).
    await db.query("update nexus_integrate.sync_jobs set queued_at = null, next_run_at = now() + interval '1 hour' where user_id <> $1", [C]);
    await db.query("update public.nexus_user_integrations set status = 'needs_reauth' where user_id = $1", [C]);
    expect(await claim("w2", C)).toBeNull();
    await db.query("create extension if not exists supabase_vault");
    await db.query("delete from vault.secrets");
    await db.query("select vault.create_secret('https://abc.supabase.co', 'nexus_integrate_project_url'), vault.create_secret('s', 'nexus_integrate_worker_secret')");
    await db.query("delete from net.http_request_queue");
    expect((await db.query<{ n: number }>("select nexus_integrate.dispatch_sync('hubspot') as n")).rows[0]!.n).toBe(0);
  });

  it("a run late by more than its frequency moves on by whole steps past now (it is not due again at once)", async () => {
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() - interval '2 hours 30 minutes' where user_id = $1", [A]);
    const before = await job(A);
    await claim("w1", A);
    await db.query("select * from nexus_integrate.finish_sync_job('hubspot', $1, 'w1', null, 3600)", [A]);
    const after = await job(A);
    expect(after.next_run_at.getTime() - before.next_run_at.getTime()).toBe(3 * 3600_000);
    expect(after.next_run_at.getTime()).toBeGreaterThan(Date.now());
  });

  it("a disconnected connection takes its job and its budget row with it", async () => {
    await db.query("select nexus_integrate.take_request($1, 100, 86400)", [`hubspot:${A}`]);
    // the exchange function's delete (users cannot delete through the Data API: schema step 006)
    await db.query("delete from public.nexus_user_integrations where user_id = $1", [A]);
    expect((await db.query("select 1 from nexus_integrate.sync_jobs where user_id = $1", [A])).rows).toEqual([]);
    expect((await db.query("select 1 from nexus_integrate.request_budgets where key = $1", [`hubspot:${A}`])).rows).toEqual([]);
  });

  it("a page is stored with its checkpoint and the deletions it reports, in one statement", async () => {
    await claim("w1", A);
    expect(await storePage("w1", A, [{ external_id: "1", data: {} }, { external_id: "2", data: {} }, { external_id: "3", data: {} }], { url: "u", json: null, listedFrom: "t", pages: 1 })).toBe(true);
    expect(await storePage("w1", A, [{ external_id: "4", data: {} }], { url: "v", json: null, listedFrom: "t", pages: 2 }, ["2"])).toBe(true);
    expect(await records(A)).toEqual(["1", "3", "4"]);
    expect((await job(A)).checkpoint).toMatchObject({ url: "v", pages: 2 });
  });

  it("finishing keeps the cursor, schedules the next run on the cadence and records data_synced with the run's records", async () => {
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() - interval '10 seconds' where user_id = $1", [A]);
    const before = await job(A);
    await claim("w1", A);
    await storePage("w1", A, [{ external_id: "1", data: {} }, { external_id: "2", data: {} }], { finished: true, cursor: { token: "t1" }, listedFrom: "t", pages: 1 });
    const { rows } = await db.query<{ records: number }>("select * from nexus_integrate.finish_sync_job('hubspot', $1, 'w1', $2::jsonb, 3600)", [A, { token: "t1" }]);
    expect(rows[0]!.records).toBe(2);
    const after = await job(A);
    expect(after).toMatchObject({ queued_at: null, lease_owner: null, checkpoint: null, cursor: { token: "t1" }, attempts: 0 });
    expect(after.next_run_at.getTime() - before.next_run_at.getTime()).toBe(3600_000);
    const events = await db.query<{ details: { records: number } }>("select details from public.nexus_integration_events where user_id = $1 and event_type = 'data_synced'", [A]);
    expect(events.rows).toEqual([{ details: { records: 2 } }]);
    const connection = await db.query<{ last_sync_at: Date | null }>("select last_sync_at from public.nexus_user_integrations where user_id = $1", [A]);
    expect(connection.rows[0]!.last_sync_at).not.toBeNull();
  });

  it("failures back off min(3 s·2ⁿ, 10 min) with jitter, then the job is a dead letter with its last error; Sync now revives it", async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      await db.query("update nexus_integrate.sync_jobs set run_after = null where user_id = $1", [A]);
      expect((await claim("w1", A))!.user_id).toBe(A);
      const { rows } = await db.query<{ dead: boolean }>("select nexus_integrate.fail_sync_job('hubspot', $1, 'w1', $2, 3) as dead", [A, `boom ${attempt}`]);
      const state = await job(A);
      expect(rows[0]!.dead).toBe(attempt === 3);
      expect(state.attempts).toBe(attempt);
      expect(state.last_error).toBe(`boom ${attempt}`);
      if (attempt < 3) {
        const wait = (state.run_after!.getTime() - Date.now()) / 1000;
        const full = 3 * 2 ** (attempt - 1);
        expect(wait).toBeGreaterThan(full / 2 - 1);
        expect(wait).toBeLessThanOrEqual(full);
        expect(await claim("w2", A), "backing off: not claimable").toBeNull();
      }
    }
    const dead = await job(A);
    expect(dead.dead_at).not.toBeNull();
    expect(dead.queued_at).toBeNull();
    const status = await db.query<{ status: string; last_error: string }>("select status, last_error from public.nexus_user_integrations where user_id = $1", [A]);
    expect(status.rows[0]).toEqual({ status: "error", last_error: "boom 3" });
    // The dispatcher leaves dead letters alone, however due.
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() - interval '1 hour' where user_id = $1", [A]);
    await db.query("select nexus_integrate.dispatch_sync('hubspot')");
    expect((await job(A)).queued_at).toBeNull();
    const holder = await db.query<{ h: string }>("select nexus_integrate.queue_sync_now('hubspot', $1) as h", [A]);
    expect(holder.rows[0]!.h).toBe("");
    expect(await job(A)).toMatchObject({ dead_at: null, attempts: 0 });
    expect((await claim("w3", A))!.user_id).toBe(A);
  });
});

describe("request budgets", () => {
  it("grant exactly the budget per window to concurrent workers on many connections", async () => {
    const pools = Array.from({ length: 8 }, () => postgres(db.url, { max: 1, onnotice: () => undefined }));
    try {
      // A day's window, so the run cannot straddle two windows (except at midnight UTC).
      const waits = (
        await Promise.all(
          pools.map(async (sql) => {
            const out: number[] = [];
            for (let i = 0; i < 20; i++) out.push(Number((await sql`select nexus_integrate.take_request('hubspot', 50, 86400) as w`)[0]!.w));
            return out;
          }),
        )
      ).flat();
      expect(waits.filter((w) => w === 0)).toHaveLength(50);
      expect(waits.filter((w) => w > 0)).toHaveLength(110);
      expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
    } finally {
      await Promise.all(pools.map((sql) => sql.end()));
    }
  });

  it("a provider's pause holds every request under its key until the time given", async () => {
    await db.query("select nexus_integrate.pause_requests('hubspot:x', 30)");
    const { rows } = await db.query<{ w: number }>("select nexus_integrate.take_request('hubspot:x', 100, 86400) as w");
    expect(rows[0]!.w).toBeGreaterThan(28);
    expect(rows[0]!.w).toBeLessThanOrEqual(30);
    const other = await db.query<{ w: number }>("select nexus_integrate.take_request('hubspot:y', 100, 86400) as w");
    expect(Number(other.rows[0]!.w), "other keys are not paused").toBe(0);
  });
});

describe("the dispatcher", () => {
  it("queues due connections (not those waiting for the user to reconnect) and calls the worker through pg_net with Vault's URL and secret", async () => {
    await db.query("update nexus_integrate.sync_jobs set queued_at = null, next_run_at = now() - interval '1 minute'");
    await db.query("update nexus_integrate.sync_jobs set next_run_at = now() + interval '1 hour' where user_id = $1", [C]);
    await db.query("update public.nexus_user_integrations set status = 'needs_reauth' where user_id = $1", [B]);
    await db.query("create extension if not exists supabase_vault");
    await db.query("delete from vault.secrets");
    await db.query("delete from net.http_request_queue");

    // Without the Vault secrets it queues, but calls nothing.
    expect((await db.query<{ n: number }>("select nexus_integrate.dispatch_sync('hubspot') as n")).rows[0]!.n).toBe(0);
    expect((await job(A)).queued_at).not.toBeNull();
    expect((await job(B)).queued_at, "needs_reauth: not queued").toBeNull();
    expect((await job(C)).queued_at, "not due yet").toBeNull();
    expect((await db.query("select * from net.http_request_queue")).rows).toEqual([]);

    await db.query("select vault.create_secret('https://abc.supabase.co/', 'nexus_integrate_project_url')");
    await db.query("select vault.create_secret('s3cret', 'nexus_integrate_worker_secret')");
    expect((await db.query<{ n: number }>("select nexus_integrate.dispatch_sync('hubspot') as n")).rows[0]!.n).toBe(1);
    const { rows } = await db.query<{ method: string; url: string; headers: Record<string, string>; body: string }>(
      "select method, url, headers, convert_from(body, 'UTF8') as body from net.http_request_queue",
    );
    expect(rows).toEqual([
      {
        method: "POST",
        url: "https://abc.supabase.co/functions/v1/hubspot-sync",
        headers: { "Content-Type": "application/json", Authorization: "Bearer s3cret" },
        body: '{"worker": true}',
      },
    ]);
    // A job a worker holds is not counted as ready: nothing more to call.
    await db.query("delete from net.http_request_queue");
    await claim("w1", A);
    expect((await db.query<{ n: number }>("select nexus_integrate.dispatch_sync('hubspot') as n")).rows[0]!.n).toBe(0);
  });

  it("schedule_sync says pg_cron is not enabled in a database without it, and changes nothing", async () => {
    const { rows } = await db.query<{ ok: boolean }>("select nexus_integrate.schedule_sync('hubspot') as ok");
    expect(rows[0]!.ok).toBe(false);
    expect((await db.query<{ n: number }>("select count(*)::int as n from pg_extension where extname = 'pg_cron'")).rows[0]!.n).toBe(0);
  });
});
