import { execa } from "execa";
import { copyFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, configureLocalEnv, copyExampleApp, snapshotTree } from "../helpers/fixtures.js";
import { makeToolCopy } from "../helpers/tool-copy.js";
import type { Finding } from "../../src/commands/doctor.js";

/** `doctor` reads the migration history statically: repeated steps, missing files, undelivered steps, each with its fix. */
function run(args: string[], env: Record<string, string> = {}, bin = BIN) {
  return execa("node", [bin, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", ...env } });
}

async function doctor(app: string, bin = BIN): Promise<{ exitCode: number; findings: Finding[] }> {
  const result = await run(["doctor", "--json", "--target", app], {}, bin);
  const report = JSON.parse(result.stdout) as { findings: Finding[] };
  return { exitCode: result.exitCode ?? -1, findings: report.findings.filter((f) => f.check.startsWith("schema-")) };
}

const migrations = (app: string) => readdirSync(path.join(app, "supabase/migrations")).sort();

describe("doctor: the migration history", () => {
  it("a step delivered twice (two branches that each ran new): names both files and the fix; after the fix it passes", async () => {
    const app = copyExampleApp();
    const branch = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app], { SOURCE_DATE_EPOCH: "1764000000" })).exitCode).toBe(0);
    expect((await run(["new", "microsoft", "--yes", "--target", branch], { SOURCE_DATE_EPOCH: "1764000500" })).exitCode).toBe(0);
    // The merge brings the other branch's migrations in.
    for (const file of migrations(branch).filter((f) => !migrations(app).includes(f))) {
      copyFileSync(path.join(branch, "supabase/migrations", file), path.join(app, "supabase/migrations", file));
    }
    // Every shared step, delivered on both branches: the app's at 160000 + i, the other branch's at 160820 + i.
    const steps = ["001_schema", "002_legacy_tokens", "003_sync_jobs", "004_health", "005_key_ring", "006_disconnect_through_function", "007_function_roles", "008_revocation_events", "009_job_calls_take_role"];
    const at = (second: number, step: string) => `supabase/migrations/20251124${second}_nexus_integrate_${step}.sql`;
    const repeats = steps.map((step, i) => at(160820 + i, step));
    const repeat = repeats[0]!;
    // The lockfiles merged too: the app's now lists the other branch's delivery of the same step.
    const lockPath = path.join(app, "nexus-integrate.lock.json");
    const lock = JSON.parse(readFileSync(lockPath, "utf8"));
    lock.migrations.push({ owner: "shared", step: "001_schema", file: repeat });
    writeFileSync(lockPath, JSON.stringify(lock, null, 2));
    const found = await doctor(app);
    expect(found.exitCode).toBe(1);
    const failing = found.findings.filter((f) => !f.ok);
    expect(failing).toEqual(
      steps.map((step, i) => ({
        integration: null,
        check: "schema-history",
        ok: false,
        message: `${repeats[i]} delivers shared/${step} again, after ${at(160000 + i, step)}: applied in order, it stops at "already exists"`,
        fix: expect.stringContaining(`delete ${repeats[i]}`),
      })),
    );
    for (const file of repeats) rmSync(path.join(app, file));
    const fixed = await doctor(app);
    expect(fixed.findings.filter((f) => !f.ok)).toEqual([]);
    // and the next run forgets it
    expect((await run(["regenerate", "--all", "--target", app])).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(lockPath, "utf8")).migrations.map((m: { file: string }) => m.file)).not.toContain(repeat);
  });

  it("an app migration the Supabase CLI would skip (not <timestamp>_name.sql): names it and the fix; renamed, it passes", async () => {
    const app = copyExampleApp();
    const dir = path.join(app, "supabase/migrations");
    writeFileSync(path.join(dir, "add_profiles_index.sql"), "create index on public.profiles (id);\n");
    writeFileSync(path.join(dir, "20250102000000_fine.sql"), "select 1;\n");
    writeFileSync(path.join(dir, "README.md"), "not a migration: the CLI ignores it, and so does doctor\n");
    const findings = async () => {
      const result = await run(["doctor", "--json", "--target", app]);
      return { exitCode: result.exitCode, names: (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((f) => f.check === "migration-names") };
    };
    const before = await findings();
    expect(before.exitCode).toBe(1);
    expect(before.names).toEqual([
      {
        integration: null,
        check: "migration-names",
        ok: false,
        message: "supabase db push skips supabase/migrations/add_profiles_index.sql: a migration's file name must be <timestamp>_name.sql",
        fix: expect.stringContaining("20250101000000_add_profiles_index.sql"),
      },
    ]);
    renameSync(path.join(dir, "add_profiles_index.sql"), path.join(dir, "20250103000000_add_profiles_index.sql"));
    const after = await findings();
    expect(after.names).toEqual([]);
    expect(after.exitCode).toBe(0);
  });

  it("a delivered migration the lockfile names that is gone: says to restore it, never writes it again", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const step = migrations(app).find((f) => f.endsWith("_hubspot_001_integration.sql"))!;
    rmSync(path.join(app, "supabase/migrations", step));
    const found = await doctor(app);
    expect(found.exitCode).toBe(1);
    expect(found.findings.filter((f) => !f.ok)).toEqual([
      expect.objectContaining({
        message: `supabase/migrations/${step} (schema step hubspot/001_integration) is in the lockfile but not on disk`,
        fix: expect.stringContaining(`git checkout -- supabase/migrations/${step}`),
      }),
    ]);
    // regenerate does not deliver it a second time
    expect((await run(["regenerate", "--all", "--target", app])).exitCode).toBe(0);
    expect(migrations(app).some((f) => f.endsWith("_hubspot_001_integration.sql"))).toBe(false);
  });

  it("a step the current tool has and the app has not received: fails with `regenerate --all`; passes after it", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    configureLocalEnv(app, ["HUBSPOT"]);
    const v2 = makeToolCopy();
    v2.addTemplate("basic/integration/supabase/migrations/{{timestamp}}_{{snake}}_002_records_synced_idx.sql.hbs", "create index {{tables.records}}_synced_at_idx on public.{{tables.records}} (synced_at);\n");
    const found = await doctor(app, v2.bin);
    expect(found.exitCode).toBe(1);
    expect(found.findings.filter((f) => !f.ok)).toEqual([
      {
        integration: null,
        check: "schema-steps",
        ok: false,
        message: "schema step not delivered yet: hubspot/002_records_synced_idx",
        fix: "nexus-integrate regenerate --all (writes one new migration per step), then supabase db push",
      },
    ]);
    expect((await run(["regenerate", "--all", "--target", app], {}, v2.bin)).exitCode).toBe(0);
    const added = migrations(app).find((f) => f.endsWith("_hubspot_002_records_synced_idx.sql"))!;
    expect(readFileSync(path.join(app, "supabase/migrations", added), "utf8")).toContain("create index hubspot_records_synced_at_idx");
    const after = await doctor(app, v2.bin);
    expect(after.exitCode).toBe(0);
  });

  it("a history from before steps had markers, with the shared schema written twice, is flagged too", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const dir = path.join(app, "supabase/migrations");
    const shared = migrations(app).find((f) => f.endsWith("_nexus_integrate_001_schema.sql"))!;
    renameSync(path.join(dir, shared), path.join(dir, "20250901000000_nexus_integrations_base.sql"));
    copyFileSync(path.join(dir, "20250901000000_nexus_integrations_base.sql"), path.join(dir, "20250902000000_nexus_integrations_base.sql"));
    const found = await doctor(app);
    expect(found.findings.filter((f) => !f.ok).map((f) => f.message)).toContain(
      'supabase/migrations/20250902000000_nexus_integrations_base.sql delivers shared schema (0.1) again, after supabase/migrations/20250901000000_nexus_integrations_base.sql: applied in order, it stops at "already exists"',
    );
  });

  it("an app whose schema 0.1 wrote: regenerate, new and remove refuse (exit 2, nothing written), doctor says why", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const dir = path.join(app, "supabase/migrations");
    writeFileSync(path.join(dir, "20250901000000_nexus_integrations_base.sql"), "create table public.user_integrations (id uuid primary key);\n");
    const before = snapshotTree(app);
    for (const args of [["regenerate", "--all"], ["new", "microsoft", "--yes"], ["remove", "hubspot", "--yes"]]) {
      const result = await run([...args, "--target", app]);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("this app's schema was generated by nexus-integrate 0.1");
      expect(result.stderr).toContain("supabase/migrations/20250901000000_nexus_integrations_base.sql");
    }
    expect(snapshotTree(app)).toEqual(before);
    const result = await run(["doctor", "--json", "--target", app]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout).findings).toContainEqual(expect.objectContaining({ check: "plan", ok: false }));
  });
});
