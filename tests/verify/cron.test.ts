import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/fixtures.js";
import { createSupabaseDatabase, cronDatabase, dbPush, type TestDb } from "../helpers/postgres.js";
import { startSyncWorld, type SyncWorld } from "../helpers/sync-harness.js";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";

/**
 * Supabase Cron for real: Debian's pg_cron, preloaded by the test cluster (shared_preload_libraries) in its cron
 * database, as Supabase runs it. `new hubspot` then `supabase db push` puts the dispatcher in cron.job; the job's
 * command, run as pg_cron runs it, queues the due connections and calls the worker through pg_net (a stand-in with
 * its signatures; the test delivers what it queued) with Vault's URL and secret; `remove hubspot` and a push take
 * the job away again. Where pg_cron is not enabled, doctor says what to enable.
 */
let db: TestDb;
let world: SyncWorld;
/** The built binary, as a user runs it. */
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });

type Finding = { integration: string | null; check: string; ok: boolean; message: string; fix?: string };
async function doctor(app: string, url: string): Promise<Finding[]> {
  const result = await run(["doctor", "--json", "--db-url", url, "--target", app]);
  return (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((f) => f.check.startsWith("sync-"));
}

beforeAll(async () => {
  db = cronDatabase();
  world = await startSyncWorld({ db, presets: ["hubspot"], perPreset: 3, items: 3, workers: 1 });
}, 600_000);

afterAll(async () => {
  await world?.close();
  await db?.close();
});

describe("Supabase Cron (pg_cron) in the example app", () => {
  it("supabase db push schedules hubspot's dispatcher in cron.job, in this database", async () => {
    const { rows } = await db.query<{ jobname: string; schedule: string; command: string; database: string }>(
      "select jobname, schedule, command, database from cron.job",
    );
    expect(rows).toEqual([
      { jobname: "nexus-integrate-sync-hubspot", schedule: "* * * * *", command: "select nexus_integrate.dispatch_sync('hubspot')", database: db.name },
    ]);
    const found = await doctor(world.app, db.url);
    expect(found.filter((f) => !f.ok), JSON.stringify(found, null, 2)).toEqual([]);
    expect(found.find((f) => f.check === "sync-queue")!.message).toMatch(/^queue: 3 queued, the oldest due for \d+ s, 0 running$/);
  });

  it("the job's command, run as pg_cron runs it, calls the worker through pg_net: every connection syncs", async () => {
    const [{ command }] = (await db.query<{ command: string }>("select command from cron.job where jobname = 'nexus-integrate-sync-hubspot'")).rows as [{ command: string }];
    await db.query(command);
    expect(await world.deliverQueued()).toBe(1);
    await world.settle();
    const { rows } = await db.query<{ n: number; synced: number }>(
      "select count(*)::int as n, count(last_sync_at)::int as synced from public.nexus_user_integrations where integration_id = 'hubspot'",
    );
    expect(rows[0]).toEqual({ n: 3, synced: 3 });
    expect((await db.query<{ n: number }>("select count(*)::int as n from public.hubspot_records")).rows[0]!.n).toBe(9);
    // pg_cron itself runs the job every minute: a tick of its own while the jobs ran may have called the worker
    // too. Let that call finish first.
    while ((await world.deliverQueued()) > 0) await world.settle();
    // Nothing is due now: the next tick calls nobody.
    await db.query(command);
    expect(await world.deliverQueued()).toBe(0);
    expect((await doctor(world.app, db.url)).find((f) => f.check === "sync-queue")!.message).toBe("queue: 0 queued, 0 running");
  });

  it("remove hubspot, then supabase db push, takes its Cron job away", async () => {
    const removed = await run(["remove", "hubspot", "--yes", "--target", world.app]);
    expect(removed.exitCode, removed.stdout + removed.stderr).toBe(0);
    await dbPush(world.app, db);
    expect((await db.query("select jobname from cron.job")).rows).toEqual([]);
  });
});

describe("where pg_cron is not enabled", () => {
  it("the migrations apply, and doctor --db-url says what to enable and how to schedule afterwards", async () => {
    const plain = await createSupabaseDatabase();
    try {
      const app = copyExampleApp();
      await generate(app, "hubspot");
      await dbPush(app, plain);
      const found = await doctor(app, plain.url);
      const cron = found.find((f) => f.check === "sync-cron")!;
      expect(cron.ok).toBe(false);
      expect(cron.message).toContain("pg_cron is not enabled");
      expect(cron.fix).toContain("create extension pg_cron");
      expect(cron.fix).toContain("select nexus_integrate.schedule_sync(id) from nexus_integrate.integrations;");
      expect(found.find((f) => f.check === "sync-vault")!.ok).toBe(false);
      const doctorRun = await run(["doctor", "--db-url", plain.url, "--target", app]);
      expect(doctorRun.exitCode).toBe(1);
    } finally {
      await plain.close();
    }
  });
});
