import { execa } from "execa";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, EXAMPLE_APP, snapshotTree } from "../helpers/fixtures.js";
import { makeToolCopy } from "../helpers/tool-copy.js";

const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const SETUP_TEMPLATE = "basic/shared/src/components/integrations/nexus-integrate/IntegrationSetup.tsx.hbs";
/** The shared setup card (its Cancel line is what the template change edits). */
const SHARED_SETUP = "src/components/integrations/nexus-integrate/IntegrationSetup.tsx";
const SETUP = "src/components/integrations/HubSpotSetup.tsx";

function runWith(bin: string, args: string[], env: Record<string, string> = {}) {
  return execa("node", [bin, ...args], { reject: false, stdin: "ignore", env: { ...ENV, ...env } });
}

/** Generates hubspot with tool v1, then returns v2: a copy of the tool whose setup template changed. */
async function installedThenUpgraded() {
  const v1 = makeToolCopy();
  const app = copyExampleApp();
  expect((await runWith(v1.bin, ["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
  const v2 = makeToolCopy();
  v2.editTemplate(SETUP_TEMPLATE, (t) => t.replace(/\n(\s*)Cancel\n/, "\n$1Not now\n"));
  rmSync(path.join(v1.root, "templates"), { recursive: true }); // the old templates are gone
  return { app, v2 };
}

const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const write = (app: string, file: string, text: string) => writeFileSync(path.join(app, file), text);

describe("regenerate", () => {
  it("updates a file nobody edited when its template changed", async () => {
    const { app, v2 } = await installedThenUpgraded();
    const result = await runWith(v2.bin, ["regenerate", "--all", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/update\s+src\/components\/integrations\/nexus-integrate\/IntegrationSetup\.tsx/);
    expect(read(app, SHARED_SETUP)).toContain("Not now");
  });

  it("merges a template change with a user edit elsewhere in the file, after the old templates are gone", async () => {
    const { app, v2 } = await installedThenUpgraded();
    write(app, SHARED_SETUP, `${read(app, SHARED_SETUP)}\nexport const TEAM_NOTE = "kept";\n`);
    const result = await runWith(v2.bin, ["regenerate", "hubspot", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/merge\s+src\/components\/integrations\/nexus-integrate\/IntegrationSetup\.tsx/);
    const merged = read(app, SHARED_SETUP);
    expect(merged).toContain("Not now");
    expect(merged).toContain('export const TEAM_NOTE = "kept";');
    // and the merged file is now what the tool knows: a second regenerate has nothing to do
    const again = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
  });

  it("stops on an overlapping edit (exit 1, no byte changed) and shows both sides; --force writes markers", async () => {
    const { app, v2 } = await installedThenUpgraded();
    write(app, SHARED_SETUP, read(app, SHARED_SETUP).replace(/\n(\s*)Cancel\n/, "\n$1Maybe later\n"));
    const before = snapshotTree(app);
    const blocked = await runWith(v2.bin, ["regenerate", "--all", "--target", app]);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stdout).toMatch(/conflict\s+src\/components\/integrations\/nexus-integrate\/IntegrationSetup\.tsx/);
    expect(blocked.stdout).toContain("Maybe later");
    expect(blocked.stdout).toContain("Not now");
    expect(snapshotTree(app)).toEqual(before);

    const forced = await runWith(v2.bin, ["regenerate", "--all", "--force", "--target", app]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("conflict markers");
    const text = read(app, SHARED_SETUP);
    expect(text).toMatch(/<<<<<<< your edit\n\s*Maybe later\n=======\n\s*Not now\n>>>>>>> template/);

    // A file left with markers is not done: the CI gate and doctor fail until they are resolved.
    const check = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toMatch(/IntegrationSetup\.tsx: conflict \(has unresolved conflict markers/);
    const doctor = await runWith(v2.bin, ["doctor", "--target", app]);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL\s+conflict-markers — unresolved conflict markers .* in src\/components\/integrations\/nexus-integrate\/IntegrationSetup\.tsx/);
    write(app, SHARED_SETUP, text.replace(/<<<<<<< your edit\n(\s*Maybe later\n)=======\n\s*Not now\n>>>>>>> template\n/, "$1"));
    const resolved = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app]);
    expect(resolved.exitCode, resolved.stdout + resolved.stderr).toBe(0);
  });

  it("--check: exit 0 when up to date (user edits are not drift), exit 1 naming stale files, writes nothing", async () => {
    const app = copyExampleApp();
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    write(app, SHARED_SETUP, `${read(app, SHARED_SETUP)}// local tweak\n`);
    const clean = await runWith(BIN, ["regenerate", "--all", "--check", "--target", app]);
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);

    const v2 = makeToolCopy();
    v2.editTemplate(SETUP_TEMPLATE, (t) => t.replace(/\n(\s*)Cancel\n/, "\n$1Not now\n"));
    const before = snapshotTree(app);
    const stale = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app, "--json"]);
    expect(stale.exitCode).toBe(1);
    const report = JSON.parse(stale.stdout);
    expect(report.ok).toBe(false);
    expect(report.errors.map((e: { path: string }) => e.path)).toEqual([expect.stringContaining(SHARED_SETUP)]);
    expect(snapshotTree(app)).toEqual(before);
  });

  it("delivers a schema step a new tool version adds as one new migration; --check reports it first; delivered steps are never rewritten", async () => {
    const app = copyExampleApp();
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    const v2 = makeToolCopy();
    v2.addTemplate(
      "basic/shared/supabase/migrations/{{timestamp}}_nexus_integrate_010_events_type_idx.sql.hbs",
      "create index nexus_integration_events_type_idx on public.nexus_integration_events (event_type);\n",
    );
    // A delivered step's template changing is not the app's business: the file stays as it was delivered.
    v2.editTemplate("basic/integration/supabase/migrations/{{timestamp}}_{{snake}}_001_integration.sql.hbs", (t) =>
      t.replace("synced_at timestamptz not null default now(),", "synced_at timestamptz not null default now(),\n  deleted_at timestamptz,"),
    );
    const before = snapshotTree(app);
    const check = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr + check.stdout).toContain("delivers schema step shared/010_events_type_idx");
    expect(snapshotTree(app)).toEqual(before);

    const result = await runWith(v2.bin, ["regenerate", "--all", "--target", app], { SOURCE_DATE_EPOCH: "1764000100" });
    expect(result.exitCode, result.stderr).toBe(0);
    const after = snapshotTree(app);
    const added = Object.keys(after).filter((f) => !(f in before));
    expect(added).toEqual(["supabase/migrations/20251124160140_nexus_integrate_010_events_type_idx.sql"]);
    expect(read(app, added[0]!)).toBe(
      "-- nexus-integrate step: shared/010_events_type_idx\ncreate index nexus_integration_events_type_idx on public.nexus_integration_events (event_type);\n",
    );
    for (const file of Object.keys(before).filter((f) => f.startsWith("supabase/migrations/"))) expect(after[file], file).toBe(before[file]);
    const lock = JSON.parse(read(app, "nexus-integrate.lock.json"));
    expect(lock.migrations.map((m: { owner: string; step: string }) => `${m.owner}/${m.step}`)).toEqual([
      "shared/001_schema",
      "shared/002_legacy_tokens",
      "shared/003_sync_jobs",
      "shared/004_health",
      "shared/005_key_ring",
      "shared/006_disconnect_through_function",
      "shared/007_function_roles",
      "shared/008_revocation_events",
      "shared/009_job_calls_take_role",
      "hubspot/001_integration",
      "hubspot/003_sync_schedule",
      "hubspot/004_function_role",
      "shared/010_events_type_idx",
    ]);
    const again = await runWith(v2.bin, ["regenerate", "--all", "--check", "--target", app]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
  });

  it("a step whose migration was written by a run killed before its lockfile write is not delivered again", async () => {
    const app = copyExampleApp();
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    const lockPath = path.join(app, "nexus-integrate.lock.json");
    const lock = JSON.parse(readFileSync(lockPath, "utf8"));
    lock.migrations = [];
    writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
    const check = await runWith(BIN, ["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const second = await runWith(BIN, ["new", "microsoft", "--yes", "--target", app]);
    expect(second.exitCode, second.stderr).toBe(0);
    const migrations = readdirSync(path.join(app, "supabase/migrations"));
    expect(migrations.filter((m) => m.endsWith("_nexus_integrate_001_schema.sql"))).toHaveLength(1);
    expect(JSON.parse(readFileSync(lockPath, "utf8")).migrations.map((m: { step: string }) => m.step)).toEqual([
      "001_schema",
      "002_legacy_tokens",
      "003_sync_jobs",
      "004_health",
      "005_key_ring",
      "006_disconnect_through_function",
      "007_function_roles",
      "008_revocation_events",
      "009_job_calls_take_role",
      "001_integration",
      "003_sync_schedule",
      "004_function_role",
      "001_integration",
      "003_sync_schedule",
      "004_function_role",
    ]);
  });

  it("--dry-run and --json show the plan without writing", async () => {
    const { app, v2 } = await installedThenUpgraded();
    const before = snapshotTree(app);
    const result = await runWith(v2.bin, ["regenerate", "--all", "--dry-run", "--json", "--target", app]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    const setup = report.files.find((f: { path: string }) => f.path === SHARED_SETUP);
    expect(setup.action).toBe("update");
    expect(setup.diff).toMatch(/\n\+\s+Not now\n/);
    expect(snapshotTree(app)).toEqual(before);
  });

  it("names what is wrong: no ids, an unknown id; with no integration yet, --all and --check pass with a note", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    for (const args of [["--all"], ["--all", "--check"]]) {
      const empty = await runWith(BIN, ["regenerate", ...args, "--target", app]);
      expect(empty.exitCode, empty.stderr).toBe(0);
      expect(empty.stdout).toContain("No integrations generated yet");
    }
    expect(snapshotTree(app)).toEqual(before);
    expect((await runWith(BIN, ["regenerate", "hubspot", "--target", app])).exitCode).toBe(2);
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    expect((await runWith(BIN, ["regenerate", "--target", app])).stderr).toContain("or use --all");
    expect((await runWith(BIN, ["regenerate", "slack", "--target", app])).stderr).toContain('"slack" is not installed');
  });
});

describe("remove", () => {
  it("without a terminal and without --yes exits 2, writes nothing and names the data its migration would delete; --dry-run shows the same", async () => {
    const app = copyExampleApp();
    expect((await runWith(BIN, ["new", "hubspot", "--yes", "--template", "advanced", "--target", app])).exitCode).toBe(0);
    const before = snapshotTree(app);
    const refused = await runWith(BIN, ["remove", "hubspot", "--target", app]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("writes a migration that deletes data; nothing was written. Pass --yes");
    for (const deleted of [
      "public.nexus_user_integrations where integration_id = 'hubspot'",
      "table public.hubspot_records is dropped",
      "table nexus_integrate.hubspot_webhook_events is dropped",
      "unschedule_sync('hubspot')",
    ]) expect(refused.stderr).toContain(deleted);
    expect(snapshotTree(app)).toEqual(before);

    const json = await runWith(BIN, ["remove", "hubspot", "--json", "--target", app]);
    expect(json.exitCode).toBe(2);
    const envelope = JSON.parse(json.stdout);
    expect(envelope.errors.map((e: { path: string }) => e.path)).toEqual(["data", "data", "data", "data", "--yes"]);
    expect(snapshotTree(app)).toEqual(before);

    const dry = await runWith(BIN, ["remove", "hubspot", "--dry-run", "--target", app]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("The new migration would delete data once applied");
    expect(dry.stdout).toContain("table public.hubspot_records is dropped");
    expect(snapshotTree(app)).toEqual(before);

    const confirmed = await runWith(BIN, ["remove", "hubspot", "--yes", "--target", app]);
    expect(confirmed.exitCode, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain("The new migration deletes data once applied");
    expect(existsSync(path.join(app, SETUP))).toBe(false);
  });

  it("deletes unedited files and blocks, keeps edited ones, adds a drop migration; new restores the files byte for byte", async () => {
    const app = copyExampleApp();
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    await runWith(BIN, ["new", "microsoft", "--yes", "--target", app]);
    const installed = snapshotTree(app);

    const removed = await runWith(BIN, ["remove", "hubspot", "--yes", "--target", app], { SOURCE_DATE_EPOCH: "1764100000" });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(existsSync(path.join(app, SETUP))).toBe(false);
    expect(existsSync(path.join(app, "supabase/functions/hubspot-sync"))).toBe(false);
    expect(existsSync(path.join(app, "supabase/functions/_shared/nexus-integrate/oauth.ts"))).toBe(true); // microsoft still uses it
    expect(read(app, ".env.example")).not.toContain("HUBSPOT");
    expect(read(app, ".env.example")).toContain("VITE_MICROSOFT_CLIENT_ID");
    const migrations = readdirSync(path.join(app, "supabase/migrations"));
    expect(migrations).toContain("20251124160009_hubspot_001_integration.sql"); // history stays
    const drop = migrations.find((m) => m.endsWith("_hubspot_remove.sql"))!;
    expect(read(app, `supabase/migrations/${drop}`)).toContain("drop table if exists public.hubspot_records;");
    expect(JSON.parse(read(app, "nexus-integrate.lock.json")).integrations).not.toHaveProperty("hubspot");

    const again = await runWith(BIN, ["new", "hubspot", "--yes", "--target", app], { SOURCE_DATE_EPOCH: "1764100000" });
    expect(again.exitCode, again.stderr).toBe(0);
    const restored = snapshotTree(app);
    for (const [file, hash] of Object.entries(installed)) {
      if (file.includes("supabase/migrations/") || file.startsWith(".nexus-integrate/") || file === "nexus-integrate.lock.json") continue;
      expect(restored[file], file).toBe(hash);
    }
    // The shared schema step is not delivered again; the integration's own step is (remove dropped its tables).
    const migrations2 = Object.keys(restored).filter((f) => f.startsWith("supabase/migrations/"));
    expect(migrations2.filter((f) => f.endsWith("_nexus_integrate_001_schema.sql"))).toHaveLength(1);
    const newMigration = migrations2.find((f) => /_hubspot_001_integration\.sql$/.test(f) && !f.includes("20251124160009"))!;
    expect(newMigration > `supabase/migrations/${drop}`).toBe(true);
    expect(read(app, newMigration)).toBe(read(app, "supabase/migrations/20251124160009_hubspot_001_integration.sql"));
  });

  it("keeps and lists a file you edited unless --force; the last integration takes the shared files with it", async () => {
    const app = copyExampleApp();
    await runWith(BIN, ["new", "hubspot", "--yes", "--target", app]);
    write(app, SETUP, `${read(app, SETUP)}// mine\n`);
    const result = await runWith(BIN, ["remove", "hubspot", "--yes", "--target", app]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/keep\s+src\/components\/integrations\/HubSpotSetup\.tsx — edited/);
    expect(existsSync(path.join(app, SETUP))).toBe(true);
    expect(existsSync(path.join(app, "supabase/functions/_shared"))).toBe(false);
    expect(read(app, ".env.example")).toBe(readFileSync(path.join(EXAMPLE_APP, ".env.example"), "utf8"));
    expect(readdirSync(path.join(app, "supabase/migrations")).some((m) => m.endsWith("_nexus_integrate_001_schema.sql"))).toBe(true);
    // The lockfile outlives the last integration: it remembers the delivered schema, so `new` does not repeat it.
    const lock = JSON.parse(read(app, "nexus-integrate.lock.json"));
    expect(lock.integrations).toEqual({});
    expect(lock.migrations.map((m: { owner: string; step: string }) => `${m.owner}/${m.step}`)).toEqual([
      "shared/001_schema",
      "shared/002_legacy_tokens",
      "shared/003_sync_jobs",
      "shared/004_health",
      "shared/005_key_ring",
      "shared/006_disconnect_through_function",
      "shared/007_function_roles",
      "shared/008_revocation_events",
      "shared/009_job_calls_take_role",
      "hubspot/001_integration",
      "hubspot/003_sync_schedule",
      "hubspot/004_function_role",
      "hubspot/remove",
    ]);
    expect((await runWith(BIN, ["new", "hubspot", "--yes", "--force", "--target", app], { SOURCE_DATE_EPOCH: "1764100000" })).exitCode).toBe(0);
    const migrations = readdirSync(path.join(app, "supabase/migrations")).map((m) => m.replace(/^\d{14}_/, ""));
    expect(migrations.filter((m) => m === "nexus_integrate_001_schema.sql")).toHaveLength(1);
    expect(migrations.filter((m) => m === "hubspot_001_integration.sql")).toHaveLength(2);
  });
});

describe("moving an integration to another template set", () => {
  it("new --template advanced over an edited file names regenerate --template, which moves it keeping the edit; the lockfile records the set", async () => {
    const app = copyExampleApp();
    expect((await runWith(BIN, ["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const utils = path.join(app, "src/services/integrations/hubspot/utils.ts");
    writeFileSync(utils, `${readFileSync(utils, "utf8")}// the team's note\n`);
    const refused = await runWith(BIN, ["new", "hubspot", "--template", "advanced", "--yes", "--target", app]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("Keep your edits and move hubspot from the basic set to advanced: nexus-integrate regenerate hubspot --template advanced");
    const moved = await runWith(BIN, ["regenerate", "hubspot", "--template", "advanced", "--target", app]);
    expect(moved.exitCode, moved.stdout + moved.stderr).toBe(0);
    expect(readFileSync(utils, "utf8")).toContain("// the team's note");
    expect(existsSync(path.join(app, "src/components/integrations/HubSpotDashboard.tsx"))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.hubspot.templateSet).toBe("advanced");
    // The next regenerate keeps the set it moved to.
    expect((await runWith(BIN, ["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);
    const bad = await runWith(BIN, ["regenerate", "hubspot", "--template", "fancy", "--target", app]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--template: "fancy" must be one of basic, advanced');
  });
});
