import { writeFileSync } from "node:fs";
import postgres from "postgres";
import { expect, it } from "vitest";
import { copyExampleApp } from "../tests/helpers/fixtures.js";
import { generate } from "../tests/helpers/generate.js";
import { createSupabaseDatabase, dbPush } from "../tests/helpers/postgres.js";

/**
 * The health page's query benchmark (bench/health.mjs runs it; never part of `npm test`). One run, one machine,
 * one database migrated by `supabase db push`: three integrations (hubspot, github, microsoft), 10,000 users with a
 * connection each (a mix of connected, needs_reauth and error, 1 % dead letters), and events spread over a year
 * as the functions write them (60 % data_synced with durations, 2 % sync_failed, 18 % token_refreshed, 1 %
 * token_refresh_failed, 9 % oauth_initiated, 8 % oauth_completed, 2 % oauth_failed), inserted in statements of
 * 500,000 rows (the roll-up trigger runs once per statement). At 1,000,000 events and again at 10,000,000 it times
 * nexus_integrate.health_report for each window (the page's one call: median of RUNS), and each statement inside
 * it, read from auto_explain (PostgreSQL's contrib module, with nested statements, actual times and the plan).
 * ceiling: at 10,000,000 events each is at most 1.5 × its time at 1,000,000. A plan that scans the events table
 * (Seq Scan on nexus_integration_events) is reported as a failure.
 */
const SMALL = Number(process.env.BENCH_EVENTS_SMALL ?? "1000000");
const LARGE = Number(process.env.BENCH_EVENTS_LARGE ?? "10000000");
const USERS = 10_000;
const BATCH = 500_000;
const RUNS = 15;
const WINDOWS = ["24h", "7d", "30d"] as const;
const CEILING = 1.5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

/** A plan as an indented tree: node, relation, index, actual rows. */
function planText(node: PlanNode, depth = 0): string {
  const on = node["Relation Name"] ? ` on ${node["Relation Name"]}` : "";
  const index = node["Index Name"] ? ` using ${node["Index Name"]}` : "";
  const rows = node["Actual Rows"] !== undefined ? ` (rows=${node["Actual Rows"]} loops=${node["Actual Loops"] ?? 1})` : "";
  return [`${"  ".repeat(depth)}${node["Node Type"]}${index}${on}${rows}`, ...(node.Plans ?? []).map((child) => planText(child, depth + 1))].join("\n");
}

/** Statements too quick to time apart (plpgsql's assignments, a lookup of one row): reported, not held to the ceiling. */
const RESOLUTION_MS = 0.05;

interface StatementTiming {
  /** The statement's first line, as auto_explain logs it (the key across both sizes). */
  query: string;
  ms: number[];
  plan: string;
}

it("health page queries at 1M and 10M events", async () => {
  const app = copyExampleApp();
  for (const preset of ["hubspot", "github", "microsoft"]) await generate(app, preset);
  const db = await createSupabaseDatabase();
  await dbPush(app, db);
  const logs: string[] = [];
  const sql = postgres(db.url, { max: 1, onnotice: (notice) => logs.push(String(notice.message)), connection: { application_name: "bench-health" } });

  console.log(`seeding ${USERS} users and their connections…`);
  await sql`insert into auth.users (id, email)
    select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'u' || n || '@example.com' from generate_series(0, ${USERS - 1}) n`;
  await sql`insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status, last_sync_at, connected_at)
    select u.id, i.id, i.id,
           case when n % 20 = 0 then 'needs_reauth' when n % 50 = 1 then 'error' else 'connected' end,
           now() - make_interval(secs => (n % 7200)::int), now() - make_interval(days => (n % 30)::int)
    from (select id, row_number() over (order by id) as n from auth.users) u
    cross join (values ('hubspot'), ('github'), ('microsoft')) as i(id)
    where u.n % 3 = case i.id when 'hubspot' then 0 when 'github' then 1 else 2 end`;
  await sql`update nexus_integrate.sync_jobs set queued_at = null, dead_at = now(), attempts = 8, last_error = 'bench: provider answered 500'
    where (hashtext(user_id::text) % 100) = 0`;

  let inserted = 0;
  const insertMs: number[] = [];
  async function seedEvents(upTo: number) {
    while (inserted < upTo) {
      const count = Math.min(BATCH, upTo - inserted);
      const started = performance.now();
      await sql`insert into public.nexus_integration_events (user_id, integration_id, event_type, details, duration_ms, created_at)
        select ('00000000-0000-4000-8000-' || lpad((g % ${USERS})::text, 12, '0'))::uuid,
               (array['hubspot', 'github', 'microsoft'])[1 + g % 3],
               case when g % 100 < 60 then 'data_synced' when g % 100 < 62 then 'sync_failed'
                    when g % 100 < 80 then 'token_refreshed' when g % 100 < 81 then 'token_refresh_failed'
                    when g % 100 < 90 then 'oauth_initiated' when g % 100 < 98 then 'oauth_completed' else 'oauth_failed' end,
               case when g % 100 between 60 and 61 then '{"error": "upstream_error", "status": 500}'::jsonb
                    when g % 100 = 80 then '{"error": "invalid_grant"}'::jsonb else '{}'::jsonb end,
               case when g % 100 < 60 then 500 + (g * 7919) % 4500 end,
               now() - make_interval(secs => ((g * 2654435761) % (365 * 86400))::int)
        from generate_series(${inserted}::bigint, ${inserted + count - 1}::bigint) g`;
      insertMs.push(performance.now() - started);
      inserted += count;
      process.stdout.write(`  ${inserted.toLocaleString("en-US")} events\n`);
    }
    await sql`analyze public.nexus_integration_events`;
    await sql`analyze nexus_integrate.event_counts`;
    await sql`analyze public.nexus_user_integrations`;
    await sql`analyze nexus_integrate.sync_jobs`;
  }

  async function measure(): Promise<{ reports: Record<string, number>; statements: Map<string, StatementTiming> }> {
    const reports: Record<string, number> = {};
    for (const window of WINDOWS) {
      await sql`select nexus_integrate.health_report(${window})`; // warm
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        await sql`select nexus_integrate.health_report(${window})`;
        times.push(performance.now() - started);
      }
      reports[window] = round(median(times));
    }
    // Each statement inside the report: auto_explain's duration (and plan) of every nested statement.
    const statements = new Map<string, StatementTiming>();
    await sql.unsafe("load 'auto_explain'");
    await sql.unsafe("set auto_explain.log_min_duration = 0");
    await sql.unsafe("set auto_explain.log_nested_statements = on");
    await sql.unsafe("set auto_explain.log_analyze = on");
    await sql.unsafe("set auto_explain.log_timing = off");
    await sql.unsafe("set auto_explain.log_format = json");
    await sql.unsafe("set client_min_messages = log");
    for (const window of WINDOWS) {
      for (let run = 0; run < RUNS; run++) {
        logs.length = 0;
        await sql`select nexus_integrate.health_report(${window})`;
        for (const log of logs) {
          const match = /^duration: ([\d.]+) ms\s+plan:\s*([\s\S]*)$/.exec(log);
          if (!match) continue;
          const explained = JSON.parse(match[2]!) as { "Query Text": string; Plan: PlanNode };
          const text = explained["Query Text"].replace(/\s+/g, " ").trim();
          if (text.startsWith("select nexus_integrate.health_report")) continue;
          const key = `${window} · ${text.slice(0, 90)}`;
          const entry = statements.get(key) ?? { query: key, ms: [], plan: planText(explained.Plan) };
          entry.ms.push(Number(match[1]));
          statements.set(key, entry);
        }
      }
    }
    await sql.unsafe("set client_min_messages = notice");
    await sql.unsafe("set auto_explain.log_min_duration = -1");
    return { reports, statements };
  }

  console.log(`inserting ${SMALL.toLocaleString("en-US")} events…`);
  await seedEvents(SMALL);
  const small = await measure();
  console.log(`inserting up to ${LARGE.toLocaleString("en-US")} events…`);
  await seedEvents(LARGE);
  const large = await measure();

  const [sizes] = await sql<{ events: string; counts: string; events_mb: number }[]>`
    select (select count(*) from public.nexus_integration_events)::text as events, (select count(*) from nexus_integrate.event_counts)::text as counts,
           round(pg_total_relation_size('public.nexus_integration_events') / 1048576.0) as events_mb`;
  const reports = WINDOWS.map((window) => ({
    window,
    smallMs: small.reports[window]!,
    largeMs: large.reports[window]!,
    ratio: round(large.reports[window]! / small.reports[window]!, 2),
  }));
  const statements = [...large.statements.values()].map((entry) => {
    const before = small.statements.get(entry.query);
    const smallMs = before ? median(before.ms) : null;
    const largeMs = median(entry.ms);
    return {
      query: entry.query,
      smallMs: smallMs === null ? null : round(smallMs),
      largeMs: round(largeMs),
      ratio: smallMs ? round(largeMs / smallMs, 2) : null,
      scansEvents: /Seq Scan on nexus_integration_events\b/.test(entry.plan),
      belowResolution: largeMs < RESOLUTION_MS && (smallMs ?? 0) < RESOLUTION_MS,
      plan: entry.plan.trim(),
    };
  });
  const results = {
    events: { small: SMALL, large: Number(sizes!.events) },
    rollupRows: Number(sizes!.counts),
    eventsTableMiB: Number(sizes!.events_mb),
    insertRowsPerSecond: Math.round((BATCH * insertMs.length) / (insertMs.reduce((a, b) => a + b, 0) / 1000)),
    reports,
    statements: statements.map(({ plan: _plan, ...rest }) => rest),
  };
  const targets = {
    reports: reports.every((r) => r.ratio <= CEILING),
    statements: statements.every((s) => s.belowResolution || (s.ratio !== null && s.ratio <= CEILING)),
    noEventScans: statements.every((s) => !s.scansEvents),
  };
  console.log("\nplans at 10M events (auto_explain):");
  for (const statement of statements.filter((s) => s.query.startsWith("30d"))) console.log(`\n-- ${statement.query}\n${statement.plan}`);
  console.log(JSON.stringify({ results, targets }, null, 2));
  if (process.env.BENCH_JSON) {
    writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ results, targets, plans: statements.map((s) => ({ query: s.query, plan: s.plan })) }, null, 2)}\n`);
  }
  await sql.end();
  await db.close();
  // The page's one call returns what it returned at 1M for the same connections (only counts grew).
  expect(results.events.large).toBe(LARGE);
});
