import { execa } from "execa";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectAdminConvention } from "../../src/repo/admin-claim.js";
import { rechartsInstall } from "../../src/repo/front-end.js";
import { BIN, copyPlaybookApp, copyShadcnApp, snapshotTree } from "../helpers/fixtures.js";

/**
 * The health page from the CLI: how init learns the app's admin convention, what a claim users could set is
 * refused as, and the page written only where the app has Recharts (and what the tool says where it has not).
 */
const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: ENV });
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const HEALTH_PAGE = "src/pages/integrations/IntegrationHealthPage.tsx";

function healthStep(app: string): string {
  const dir = path.join(app, "supabase/migrations");
  const file = readdirSync(dir).find((name) => name.endsWith("_nexus_integrate_004_health.sql"));
  if (!file) throw new Error("no schema step 004 in supabase/migrations");
  return readFileSync(path.join(dir, file), "utf8");
}

function write(app: string, file: string, text: string) {
  mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
  writeFileSync(path.join(app, file), text);
}

describe("how the app marks its admins", () => {
  it("init finds the app's own RLS check and the health step uses the same claim", async () => {
    const app = copyShadcnApp();
    write(
      app,
      "supabase/migrations/20250301000000_reports.sql",
      "create policy reports_admin on public.reports for select to authenticated\n  using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'owner');\n",
    );
    const init = await run(["init", "--yes", "--json", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    const notes = (JSON.parse(init.stdout) as { notes: string[] }).notes;
    expect(notes).toContain('note: admins: app_metadata.role = "owner", the check supabase/migrations/20250301000000_reports.sql makes (the health page uses the same claim)');
    expect(JSON.parse(read(app, "nexus-integrate.config.json")).admin).toEqual({ claim: "app_metadata.role", equals: "owner" });
    const created = await run(["new", "hubspot", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(healthStep(app)).toContain("values (array['app_metadata', 'role']::text[], 'owner');");
    const steps = (JSON.parse(created.stdout) as { nextSteps: string[] }).nextSteps.join("\n");
    expect(steps).toContain('an admin is a user whose JWT has app_metadata.role = "owner"');
    expect(steps).toContain('supabase.auth.admin.updateUserById(id, { app_metadata: { role: "owner" } })');
  });

  it("finds an auth hook's top-level claim and a front-end flag; reports a user_metadata check and never uses it", () => {
    const hook = copyShadcnApp();
    write(hook, "supabase/migrations/20250301000000_rbac.sql", "create function public.authorize() returns boolean as $$\n  select (auth.jwt() ->> 'user_role') = 'admin'\n$$ language sql;\n");
    expect(detectAdminConvention(hook).found).toMatchObject({ claim: "user_role", equals: "admin" });

    const flag = copyShadcnApp();
    write(flag, "src/lib/admin.ts", "export const isAdmin = (user: { app_metadata: { is_admin?: boolean } }) => Boolean(user.app_metadata?.is_admin);\n");
    expect(detectAdminConvention(flag).found).toMatchObject({ claim: "app_metadata.is_admin", equals: "true", file: "src/lib/admin.ts" });

    const unsafe = copyShadcnApp();
    write(unsafe, "src/lib/admin.ts", 'export const isAdmin = (user: { user_metadata: { role?: string } }) => user.user_metadata?.role === "admin";\n');
    expect(detectAdminConvention(unsafe)).toEqual({ found: null, userMetadata: ["src/lib/admin.ts"] });
  });

  it("reads the migrations where the config says they are", () => {
    const app = copyShadcnApp();
    write(app, "db/migrations/20250301000000_rbac.sql", "create policy p on public.t for select using ((auth.jwt() -> 'app_metadata' ->> 'tier') = 'staff');\n");
    expect(detectAdminConvention(app).found).toBeNull();
    expect(detectAdminConvention(app, "db/migrations").found).toMatchObject({ claim: "app_metadata.tier", equals: "staff" });
  });

  it("init warns about an admin check on user_metadata", async () => {
    const app = copyShadcnApp();
    write(app, "src/lib/admin.ts", 'export const isAdmin = (user: { user_metadata: { role?: string } }) => user.user_metadata?.role === "admin";\n');
    const init = await run(["init", "--yes", "--json", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    const notes = (JSON.parse(init.stdout) as { notes: string[] }).notes;
    expect(notes.find((n) => n.startsWith("note: warning: src/lib/admin.ts decides who is an admin from user_metadata"))).toBeDefined();
    expect(JSON.parse(read(app, "nexus-integrate.config.json")).admin).toBeUndefined();
    // With the team's own claim in the config, the warning names that claim, not the default.
    const config = JSON.parse(read(app, "nexus-integrate.config.json"));
    write(app, "nexus-integrate.config.json", `${JSON.stringify({ ...config, admin: { claim: "app_metadata.tier", equals: "staff" } }, null, 2)}\n`);
    const again = await run(["init", "--yes", "--json", "--target", app]);
    const warning = (JSON.parse(again.stdout) as { notes: string[] }).notes.find((n) => n.startsWith("note: warning:"));
    expect(warning).toContain("it checks app_metadata.tier");
  });

  it("an admin claim in user_metadata is refused by field (exit 2) and nothing changes", async () => {
    const app = copyShadcnApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    const config = JSON.parse(read(app, "nexus-integrate.config.json"));
    write(app, "nexus-integrate.config.json", `${JSON.stringify({ ...config, admin: { claim: "user_metadata.role", equals: "admin" } }, null, 2)}\n`);
    const before = snapshotTree(app);
    const created = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(created.exitCode).toBe(2);
    expect(created.stderr).toContain("admin.claim");
    expect(created.stderr).toContain("must not be in user_metadata");
    expect(snapshotTree(app)).toEqual(before);
  });

  it("an integration named health is refused: the page lives at <routesBase>/health", async () => {
    const app = copyShadcnApp();
    const created = await run(["new", "health", "--yes", "--preset", "hubspot", "--target", app]);
    expect(created.exitCode).toBe(2);
    expect(created.stderr).toContain('"health" is reserved');
  });
});

describe("the page where the app has no Recharts", () => {
  it("the install command is the app's package manager's (its lockfile)", () => {
    const app = copyShadcnApp();
    expect(rechartsInstall(app)).toBe("npm install recharts@3");
    for (const [lock, command] of [
      ["yarn.lock", "yarn add recharts@3"],
      ["pnpm-lock.yaml", "pnpm add recharts@3"],
      ["bun.lock", "bun add recharts@3"],
    ] as const) {
      write(app, lock, "");
      expect(rechartsInstall(app), lock).toBe(command);
    }
  });

  it("is not written; the next steps name the install, and regenerate --all adds the page and its route after it", async () => {
    // The playbook's repo: hand-written hubspot and microsoft, no Recharts; init first, as the README says.
    const app = copyPlaybookApp();
    const init = await run(["init", "--yes", "--json", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect((JSON.parse(init.stdout) as { notes: string[] }).notes).toContain(
      "note: the admins' health page (/integrations/health) needs Recharts: npm install recharts@3 (then nexus-integrate regenerate --all)",
    );
    const created = await run(["new", "google-analytics", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const report = JSON.parse(created.stdout) as { nextSteps: string[] };
    expect(existsSync(path.join(app, HEALTH_PAGE))).toBe(false);
    expect(report.nextSteps).toContain(
      "Integration health for your admins: npm install recharts@3, then nexus-integrate regenerate --all adds the page at /integrations/health (schema step 004 already has its figures; nexus-integrate doctor --db-url prints them).",
    );
    // The schema step is there either way (doctor reads it).
    expect(healthStep(app)).toContain("create function nexus_integrate.health_report");

    const pkg = JSON.parse(read(app, "package.json"));
    write(app, "package.json", `${JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, recharts: "3.11.2" } }, null, 2)}\n`);
    const regenerated = await run(["regenerate", "--all", "--json", "--target", app]);
    expect(regenerated.exitCode, regenerated.stderr).toBe(0);
    expect(existsSync(path.join(app, HEALTH_PAGE))).toBe(true);
    expect(existsSync(path.join(app, "src/components/integrations/nexus-integrate/HealthTrend.tsx"))).toBe(true);
    const router = (JSON.parse(read(app, "nexus-integrate.config.json")) as { paths?: { router?: string } }).paths?.router ?? "src/App.tsx";
    const routes = read(app, router);
    expect(routes).toContain('<Route path="/integrations/health" element={<IntegrationHealthPage />} />');

    // remove with the last integration takes the page out again.
    const removed = await run(["remove", "google-analytics", "--yes", "--target", app]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(existsSync(path.join(app, HEALTH_PAGE))).toBe(false);
  });
});
