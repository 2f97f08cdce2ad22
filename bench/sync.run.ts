import { writeFileSync } from "node:fs";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { expect, it } from "vitest";
import { createSupabaseDatabase } from "../tests/helpers/postgres.js";
import { paging } from "../tests/helpers/provider-doubles.js";
import { startSyncWorld, WORKER_SECRET, type SyncWorld } from "../tests/helpers/sync-harness.js";

/**
 * The background-sync benchmark (bench/sync.mjs runs it; never part of `npm test`). One run, one machine, the
 * generated `<id>-sync` functions unchanged in `--workers` worker processes, `--connections` connections across
 * three presets (HubSpot, GitHub, Microsoft: cursor, Link-header and next-URL paging; Microsoft's rotating
 * refresh tokens all about to expire), 200 records each (two pages of 100), provider doubles answering after
 * 50 ms. Scenarios:
 *   limited    the doubles enforce a per-app budget of 30 requests a second per preset (a stated scenario budget:
 *              these providers limit per account, and an account here lists two pages); the workers are told the
 *              same budget. ceiling = what that budget allows (3 × 30 requests/s × 100 records); ratio = ours / it.
 *   unlimited  no budget at the doubles beyond each preset's documented per-connection one; baseline = a bare
 *              loop in the same run fetching the same pages from the same doubles and inserting each page with one
 *              multi-row statement (no tokens, leases, checkpoints, events), at the same concurrency; rawRatio =
 *              ours / baseline. statementsPerPage = every statement the workers ran (pg_stat_statements) / pages.
 *   freshness  steady state: every connection (already synced: GitHub and Graph list only changes, HubSpot re-lists)
 *              due once, spread evenly over one frequency F, with 50 coming due each second (F = 60 s at 1,000
 *              connections, 200 s at 10,000); the dispatcher ticks each second, as Cron's one-minute tick does
 *              for hourly syncs, scaled down; lag = finished − due; p95LagRatio = p95 of (F + lag) / F.
 *   memory     one connection with 100,000 records on one worker process: its peak RSS (VmHWM).
 * lost / duplicated (a record written twice: an update where every write of a run should be an insert) /
 * doubleRefreshes (a rotated refresh token presented again) / rateLimitExcess (requests over the doubles' budget)
 * are counted over all scenarios.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "1000");
const WORKERS = Number(process.env.BENCH_WORKERS ?? "4");
const PRESETS = ["hubspot", "github", "microsoft"];
const ITEMS = 200;
const PAGE = 100;
const LATENCY_MS = 50;
const BUDGET = 30;
/** The freshness scenario's frequency: 50 connections come due each second (at least 60 s; 200 s at 10,000). */
const FREQUENCY_SECONDS = Math.max(60, Math.ceil(CONNECTIONS / 50));
const TABLES = PRESETS.map((p) => `${p.replace(/-/g, "_")}_records`);

const rate = (records: number, ms: number) => Math.round((records / ms) * 1000);
/** Worker invocations at once (and the baseline's loops): eight per worker process. */
const CONCURRENCY = WORKERS * 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("background sync benchmark", async () => {
  const db = await createSupabaseDatabase();
  const perPreset = Math.ceil(CONNECTIONS / PRESETS.length);
  const total = perPreset * PRESETS.length;
  paging.size = PAGE;
  const started = Date.now();
  const world: SyncWorld = await startSyncWorld({
    db,
    presets: PRESETS,
    perPreset,
    items: ITEMS,
    workers: WORKERS,
    expiring: ["microsoft"],
    env: { NEXUS_WORKER_BUDGET_SECONDS: "50" },
  });
  const sql = world.admin;
  console.log(`set-up: ${total} connections in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  world.doubles.latency.ms = LATENCY_MS;
  await sql.unsafe(`
    create table if not exists public.bench_record_updates (tbl text);
    create or replace function public.bench_count_update() returns trigger language plpgsql as $$
    begin insert into public.bench_record_updates values (tg_table_name); return null; end $$;
    ${TABLES.map((t) => `create trigger bench_count_update after update on public.${t} for each row execute function public.bench_count_update();`).join("\n")}
    create extension if not exists pg_stat_statements;
  `);

  /** Every job due now, from scratch (no checkpoint, no incremental cursor), every records table empty. */
  const reset = async (due: "now" | "spread" | "never" = "now") => {
    await sql.unsafe(`truncate ${TABLES.map((t) => `public.${t}`).join(", ")}`);
    await sql`delete from nexus_integrate.request_budgets`;
    await sql`delete from net.http_request_queue`;
    await sql`
      update nexus_integrate.sync_jobs set checkpoint = null, cursor = null, attempts = 0, dead_at = null, run_after = null,
        lease_owner = null, lease_until = null, run_started_at = null, records_this_run = 0,
        queued_at = case when ${due} = 'now' then now() end,
        next_run_at = case ${due} when 'now' then now() when 'spread' then now() + make_interval(secs => random() * ${FREQUENCY_SECONDS}) else now() + interval '1 day' end`;
  };
  const lostRecords = async () => {
    let lost = 0;
    for (const [i, preset] of PRESETS.entries()) {
      const [row] = await sql.unsafe<{ missing: number }[]>(
        `select (${perPreset * ITEMS} - count(*))::int as missing from public.${TABLES[i]} where user_id in (select user_id from nexus_integrate.sync_jobs where provider = $1 and user_id <> all($2::uuid[]))`,
        [preset, giant],
      );
      lost += Math.max(0, row!.missing);
    }
    return lost;
  };
  const finishedAt = async () => (await sql<{ t: Date }[]>`select max(last_finished_at) as t from nexus_integrate.sync_jobs`)[0]!.t.getTime();
  const atWindowStart = async () => sleep(1000 - (Date.now() % 1000));
  /**
   * CONCURRENCY invocations at once, as pg_net would send them, spread over the worker processes and the presets;
   * each one that returns is replaced while its preset has queued jobs.
   */
  const pump = async () => {
    const open = async (preset: string) =>
      (await sql<{ n: number }[]>`select count(*)::int as n from nexus_integrate.sync_jobs where provider = ${preset} and queued_at is not null and dead_at is null`)[0]!.n;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const preset = PRESETS[i % PRESETS.length]!;
        const worker = world.workers[i % world.workers.length]!;
        while ((await open(preset)) > 0) {
          const res = await fetch(`${worker.url}/functions/v1/${preset}-sync`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${WORKER_SECRET}` },
            body: JSON.stringify({ worker: true }),
          });
          const tally = (await res.json()) as { jobs?: number };
          if (!tally.jobs) await sleep(100); // every job of the preset is held by others, or waits for its window
        }
      }),
    );
  };
  const giant: string[] = [];

  // limited
  for (const preset of PRESETS) world.doubles.budgets.set(preset, { requests: BUDGET, windowSeconds: 1, per: "app" });
  await world.restartWorkers(Object.fromEntries(PRESETS.map((p) => [`${p.replace(/-/g, "_").toUpperCase()}_RATE_LIMIT`, `${BUDGET}/1/app`])));
  await reset();
  await atWindowStart();
  let t0 = Date.now();
  await pump();
  const limitedMs = (await finishedAt()) - t0;
  const records = total * ITEMS;
  const recordsPerSecond = rate(records, limitedMs);
  const ceilingRecordsPerSecond = PRESETS.length * BUDGET * PAGE;
  let lost = await lostRecords();
  console.log(`limited: ${records} records in ${(limitedMs / 1000).toFixed(1)} s = ${recordsPerSecond}/s (ceiling ${ceilingRecordsPerSecond}/s)`);

  // unlimited
  world.doubles.budgets.clear();
  await world.restartWorkers({});
  await reset();
  await sql`select pg_stat_statements_reset()`;
  const pagesBefore = world.doubles.requests.filter((r) => r.endpoint === "api").length;
  t0 = Date.now();
  await pump();
  const unlimitedMs = (await finishedAt()) - t0;
  const unlimitedRecordsPerSecond = rate(records, unlimitedMs);
  const pages = world.doubles.requests.filter((r) => r.endpoint === "api").length - pagesBefore;
  const [statements] = await sql<{ calls: number }[]>`
    select coalesce(sum(calls), 0)::int as calls from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and query not ilike '%dispatch_sync%' and query not ilike '%http_request_queue%' and query not ilike '%as open from%'
      and query not ilike '%pg_stat_statements%' and query not ilike '%max(last_finished_at)%' and query not ilike '%count(*)::int as n from nexus_integrate.sync_jobs%'`;
  const statementsPerPage = Math.round((statements!.calls / pages) * 100) / 100;
  lost += await lostRecords();
  console.log(`unlimited: ${unlimitedRecordsPerSecond}/s, ${pages} pages, ${statementsPerPage} statements a page`);

  // baseline: the bare loop, same pages, same doubles, same concurrency as the workers' invocations
  await reset("never");
  const pool = postgres(db.url, { max: 8, prepare: true, onnotice: () => undefined });
  const origin = world.doubles.origin;
  const firstUrl: Record<string, string> = {
    hubspot: `${origin}/hubspot/api/crm/v3/objects/contacts?limit=100`,
    github: `${origin}/github/api/user/repos?per_page=100&sort=updated`,
    microsoft: `${origin}/microsoft/api/me/events?$top=50`,
  };
  const nextUrl = (preset: string, url: string, body: Record<string, unknown>, response: Response): string | null => {
    if (preset === "hubspot") {
      const after = (body.paging as { next?: { after?: string } } | undefined)?.next?.after;
      return after ? `${url.split("&after=")[0]}&after=${after}` : null;
    }
    if (preset === "github") return /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
    return (body["@odata.nextLink"] as string | undefined) ?? null;
  };
  const listOf = (preset: string, body: unknown) =>
    (preset === "hubspot" ? (body as { results: unknown[] }).results : preset === "github" ? (body as unknown[]) : (body as { value: unknown[] }).value) as { id: string | number }[];
  const queue = world.connections.filter((c) => !giant.includes(c.userId));
  t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let c = queue.pop(); c; c = queue.pop()) {
        const table = `${c.preset.replace(/-/g, "_")}_records`;
        for (let url: string | null = firstUrl[c.preset]!; url; ) {
          const response = await fetch(url, { headers: { Authorization: `Bearer ${c.grant.accessToken}`, Accept: "application/json" } });
          const body = (await response.json()) as Record<string, unknown>;
          const rows = listOf(c.preset, body).map((item) => ({ external_id: String(item.id), data: item }));
          await pool.unsafe(
            `insert into public.${table} (user_id, external_id, data) select $1, r.external_id, r.data from jsonb_to_recordset($2::jsonb) as r(external_id text, data jsonb)`,
            [c.userId, rows as never],
          );
          url = nextUrl(c.preset, url, body, response);
        }
      }
    }),
  );
  const baselineMs = Date.now() - t0;
  await pool.end();
  const baselineRecordsPerSecond = rate(records, baselineMs);
  console.log(`baseline: ${baselineRecordsPerSecond}/s`);

  // freshness: steady state (one full run first, so each connection has its cursor), then every connection due
  // once within one frequency; the dispatcher ticks each second
  await reset();
  await pump();
  // Re-listing rewrites rows by design: the duplicate counter watches the runs that start from empty tables only.
  for (const table of TABLES) await sql.unsafe(`alter table public.${table} disable trigger bench_count_update`);
  await sql`update nexus_integrate.sync_jobs set queued_at = null, next_run_at = now() + make_interval(secs => random() * ${FREQUENCY_SECONDS})`;
  await sql`create table if not exists public.bench_due as select user_id, next_run_at as due from nexus_integrate.sync_jobs with no data`;
  await sql`truncate public.bench_due`;
  await sql`insert into public.bench_due select user_id, next_run_at from nexus_integrate.sync_jobs`;
  const until = Date.now() + FREQUENCY_SECONDS * 1000;
  while (Date.now() < until) {
    await world.tick({ maxWorkers: 4 });
    await sleep(1000);
  }
  await world.drain({ timeoutMs: 3_600_000, tickMs: 1000, maxWorkers: 4 });
  const [lag] = await sql<{ p95: number }[]>`
    select percentile_cont(0.95) within group (order by (${FREQUENCY_SECONDS} + extract(epoch from j.last_finished_at - d.due)) / ${FREQUENCY_SECONDS}) as p95
    from nexus_integrate.sync_jobs j join public.bench_due d using (user_id)`;
  const p95LagRatio = Math.round(lag!.p95 * 1000) / 1000;
  lost += await lostRecords();
  console.log(`freshness: p95 lag ratio ${p95LagRatio}`);

  for (const table of TABLES) await sql.unsafe(`alter table public.${table} enable trigger bench_count_update`);

  // memory: one connection with 100,000 records, one worker process
  await reset("never");
  const [big] = await world.addConnections("hubspot", 1, 100_000);
  giant.push(big!.userId);
  const solo = await world.startWorker();
  const pid = solo.process.pid!;
  const status = () => readFileSync(`/proc/${pid}/status`, "utf8");
  const rssBefore = Number(/VmRSS:\s+(\d+)/.exec(status())![1]) / 1024;
  for (let done = false; !done; ) {
    await fetch(`${solo.url}/functions/v1/hubspot-sync`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${WORKER_SECRET}` },
      body: JSON.stringify({ worker: true }),
    });
    const [row] = await sql<{ open: boolean }[]>`select queued_at is not null as open from nexus_integrate.sync_jobs where user_id = ${big!.userId}`;
    done = !row!.open;
  }
  const peakRssMiB = Math.round(Number(/VmHWM:\s+(\d+)/.exec(status())![1]) / 1024);
  const [bigCount] = await sql<{ n: number }[]>`select count(*)::int as n from public.hubspot_records where user_id = ${big!.userId}`;
  lost += 100_000 - bigCount!.n;
  solo.process.kill("SIGTERM");
  await solo.process.catch(() => undefined);
  console.log(`memory: 100,000 records, peak RSS ${peakRssMiB} MiB (${Math.round(rssBefore)} MiB at start)`);

  const [dup] = await sql<{ n: number }[]>`select count(*)::int as n from public.bench_record_updates`;
  const results = {
    connections: total,
    workers: WORKERS,
    records,
    recordsPerSecond,
    ceilingRecordsPerSecond,
    ratio: Math.round((recordsPerSecond / ceilingRecordsPerSecond) * 1000) / 1000,
    unlimitedRecordsPerSecond,
    baselineRecordsPerSecond,
    rawRatio: Math.round((unlimitedRecordsPerSecond / baselineRecordsPerSecond) * 1000) / 1000,
    statementsPerPage,
    peakRssMiB,
    p95LagRatio,
    lost,
    duplicated: dup!.n,
    doubleRefreshes: world.doubles.refreshReuse.count,
    rateLimitExcess: world.doubles.excess.count,
  };
  const targets = {
    ratio: results.ratio >= 0.9,
    rawRatio: results.rawRatio >= 0.5,
    statementsPerPage: results.statementsPerPage <= 5,
    peakRssMiB: results.peakRssMiB <= 150,
    p95LagRatio: results.p95LagRatio <= 1.1,
    lost: results.lost === 0,
    duplicated: results.duplicated === 0,
    doubleRefreshes: results.doubleRefreshes === 0,
    rateLimitExcess: results.rateLimitExcess === 0,
  };
  console.log(JSON.stringify({ results, targets }, null, 2));
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ results, targets }, null, 2)}\n`);
  await world.close();
  await db.close();
  // The figures are reported, not asserted here beyond correctness: lost, duplicated and spent twice are bugs.
  expect({ lost: results.lost, duplicated: results.duplicated, doubleRefreshes: results.doubleRefreshes, rateLimitExcess: results.rateLimitExcess }).toEqual({
    lost: 0,
    duplicated: 0,
    doubleRefreshes: 0,
    rateLimitExcess: 0,
  });
});
