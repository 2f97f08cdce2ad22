import { execa } from "execa";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, copyExampleApp } from "../helpers/fixtures.js";
import { apiReach, createSupabaseDatabase, dbAdvisors, dbPush, type AdvisorFinding, type TestDb } from "../helpers/postgres.js";

/**
 * The generated migrations as a team deploys them: the real Supabase CLI (`supabase db push --db-url`, the npm
 * package pinned at 2.117.0) applies them to PostgreSQL 15 prepared with Supabase's roles and `auth` schema,
 * and Supabase's own advisor (`supabase db advisors --fail-on warn`) has nothing to say afterwards.
 */
const opened: TestDb[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

async function database(): Promise<TestDb> {
  const db = await createSupabaseDatabase();
  opened.push(db);
  return db;
}

export function cli(args: string[], env: Record<string, string> = {}) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", ...env } });
}

export async function ok(args: string[], env: Record<string, string> = {}) {
  const result = await cli(args, env);
  expect(result.exitCode, `${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/** Objects of ours: the private schema, the nexus_ tables and view, the integrations' record tables. */
function ours(relation: string): boolean {
  return relation.startsWith("nexus_integrate.") || relation.startsWith("public.nexus_") || /^public\.[a-z0-9_]+_records$/.test(relation);
}

/**
 * INFO findings the README explains as deliberate: the private schema's tables have RLS on and no policy (only
 * the functions, as the owner, touch them), and on a database that has served no query yet every index is
 * "unused".
 */
function deliberate(finding: AdvisorFinding): boolean {
  const meta = finding.metadata as { schema?: string; name?: string };
  if (finding.name === "rls_enabled_no_policy") return meta.schema === "nexus_integrate";
  if (finding.name === "unused_index") return true;
  return false;
}

/** The advisor passes at `--fail-on warn`, every INFO finding about our objects is a deliberate one, and the API roles reach only what users read. */
export async function expectAdvisorsQuiet(appDir: string, db: TestDb, readable: string[]): Promise<void> {
  const { findings, failOnWarnExitCode, output } = await dbAdvisors(appDir, db);
  expect(failOnWarnExitCode, output).toBe(0);
  const aboutOurs = findings.filter((f) => {
    const meta = f.metadata as { schema?: string; name?: string };
    return ours(`${meta.schema}.${meta.name}`) || f.detail.includes("nexus_");
  });
  expect(aboutOurs.filter((f) => f.level !== "INFO"), JSON.stringify(aboutOurs, null, 2)).toEqual([]);
  expect(aboutOurs.filter((f) => !deliberate(f)).map((f) => `${f.name}: ${f.detail}`)).toEqual([]);
  const reach = await apiReach(db);
  expect(reach.anonReadable.filter(ours)).toEqual([]);
  expect(reach.authenticatedReadable.filter(ours)).toEqual([...readable].sort());
  expect(reach.definerExecutable).toEqual([]);
}

const SHARED_READABLE = ["public.nexus_integration_events", "public.nexus_integration_metrics", "public.nexus_user_integrations"];

describe("the example app's history, applied with supabase db push", () => {
  it("new hubspot, new microsoft, remove hubspot, new hubspot: every migration applies and the advisor stays quiet", async () => {
    const app = copyExampleApp();
    const db = await database();

    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records"]);

    await ok(["new", "microsoft", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records", "public.microsoft_records"]);

    await ok(["remove", "hubspot", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.microsoft_records"]);
    expect((await db.query("select id from nexus_integrate.integrations order by id")).rows).toEqual([{ id: "microsoft" }]);

    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records", "public.microsoft_records"]);

    const migrations = readdirSync(path.join(app, "supabase/migrations")).map((f) => f.replace(/^\d{14}_/, ""));
    expect(migrations).toEqual([
      "profiles.sql",
      "nexus_integrate_001_schema.sql",
      "hubspot_001_integration.sql",
      "microsoft_001_integration.sql",
      "hubspot_remove.sql",
      "hubspot_001_integration.sql",
    ]);
    const applied = await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version");
    expect(applied.rows).toHaveLength(6);
    expect((await ok(["doctor", "--target", app])).stdout).toContain("Everything looks right.");
  });
});
