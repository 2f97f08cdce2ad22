import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { BIN, copyExampleApp, copyShadcnApp, EXAMPLE_APP, REPO_ROOT, SHADCN_APP, snapshotTree } from "../helpers/fixtures.js";

/**
 * The front end in the app's own kit: what init detects, the fresh create-vite app that needs nothing pasted,
 * thin per-provider files over shared components, and apps generated before them moving over.
 */
const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: ENV });
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const bin = (app: string, pkg: string, file: string) => path.join(app, "node_modules", pkg, file);

/** Files below `dir` (relative), for listing what a run left. */
function filesBelow(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(path.join(dir, entry.name), base) : [path.relative(base, path.join(dir, entry.name))],
  );
}

describe("the front end in the app's kit", () => {
  it("a fresh create-vite app (Tailwind v4, shadcn parts, <Routes>, no registry): init --yes && new hubspot --yes, nothing to paste; tsc -b and vite build pass; remove takes every edit out", async () => {
    const app = copyShadcnApp();
    const before = snapshotTree(app);
    const init = await run(["init", "--yes", "--json", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    const initReport = JSON.parse(init.stdout) as { notes: string[] };
    expect(initReport.notes).toContain("detected appName = Acme CRM; signInPath = /login");
    expect(initReport.notes).toContain("note: UI kit: shadcn/ui (components.json, parts in @/components/ui), Tailwind 4; the app's parts the pages use: button, card, alert, badge");
    const config = JSON.parse(read(app, "nexus-integrate.config.json"));
    expect(config).toMatchObject({ appName: "Acme CRM", signInPath: "/login", ui: { style: "shadcn", alias: "@/components/ui" } });

    const created = await run(["new", "hubspot", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const report = JSON.parse(created.stdout) as { files: { path: string; action: string; reason?: string; snippets?: string[] }[]; nextSteps: string[] };
    expect(report.files.filter((f) => f.snippets), "nothing to paste").toEqual([]);
    expect(report.nextSteps.join("\n")).not.toMatch(/paste/i);
    expect(report.files.find((f) => f.path === "src/App.tsx")).toMatchObject({ action: "update", reason: "routes wired into src/App.tsx (nexus-integrate remove takes them out)" });
    expect(report.files.find((f) => f.path === "src/integrations/registry.ts")).toMatchObject({ action: "create" });
    // The pages import the app's own parts, with Tailwind classes on the shadcn theme.
    const ui = read(app, "src/components/integrations/nexus-integrate/ui.tsx");
    expect(ui).toContain('import { Button as AppButton, buttonVariants } from "@/components/ui/button";');
    expect(ui).toContain('import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";');
    expect(ui).toContain('primary: "bg-primary text-primary-foreground"');
    expect(existsSync(path.join(app, "src/components/integrations/nexus-integrate/nexus-integrate.css"))).toBe(false);
    // The post-connect page exists: the app had no /integrations route.
    expect(read(app, "src/App.tsx")).toContain('<Route path="/integrations" element={<IntegrationsIndexPage />} />');
    expect(read(app, "src/services/integrations/nexus-integrate/integration.ts")).toContain('export const APP_NAME = "Acme CRM";');

    linkAppDeps(app, SHADCN_APP);
    const tsc = await execa("node", [bin(app, "typescript", "bin/tsc"), "-b"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    const vite = await execa("node", [bin(app, "vite", "bin/vite.js"), "build", "--logLevel", "error"], { cwd: app, reject: false });
    expect(vite.exitCode, vite.stderr).toBe(0);
    // The Tailwind classes the pages use made it into the app's CSS.
    const css = filesBelow(path.join(app, "dist", "assets")).filter((f) => f.endsWith(".css")).map((f) => read(app, `dist/assets/${f}`)).join("\n");
    expect(css).toContain(".max-w-2xl");
    rmSync(path.join(app, "dist"), { recursive: true });
    rmSync(path.join(app, "node_modules"));
    rmSync(path.join(app, "tsconfig.app.tsbuildinfo"), { force: true });

    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);
    const removed = await run(["remove", "hubspot", "--yes", "--target", app]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    const after = snapshotTree(app);
    const left = Object.keys(after).filter((file) => before[file] !== after[file]);
    // What is left: the config init wrote, the lockfile's migration history, and the migrations (history, never deleted).
    expect(left.filter((file) => !file.startsWith("supabase/migrations/")).sort()).toEqual(["nexus-integrate.config.json", "nexus-integrate.lock.json"]);
    for (const file of ["src/App.tsx", "supabase/config.toml"]) expect(read(app, file), file).toBe(read(SHADCN_APP, file));
    expect(existsSync(path.join(app, "src/integrations/registry.ts"))).toBe(false);
  }, 240_000);

  it("once wired by the code-mod a router stays so: markers added later route nothing twice, and remove still takes the routes out", async () => {
    const app = copyShadcnApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const wired = read(app, "src/App.tsx");
    const marked = wired
      .replace('import NotFound from "./pages/NotFound";\n', 'import NotFound from "./pages/NotFound";\n// <nexus-integrate:route-imports>\n// </nexus-integrate:route-imports>\n')
      .replace('        <Route path="*"', '        {/* <nexus-integrate:routes> */}\n        {/* </nexus-integrate:routes> */}\n        <Route path="*"');
    writeFileSync(path.join(app, "src/App.tsx"), marked);
    const regenerated = await run(["regenerate", "--all", "--target", app]);
    expect(regenerated.exitCode, regenerated.stdout + regenerated.stderr).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(marked);
    const removed = await run(["remove", "hubspot", "--yes", "--target", app]);
    expect(removed.exitCode, removed.stdout + removed.stderr).toBe(0);
    expect(read(app, "src/App.tsx")).not.toContain("HubSpot");
    expect(read(app, "src/App.tsx")).not.toContain("IntegrationsIndexPage");
  });

  it("a refused router gets a snippet of only what it does not route yet; an edited wired route is kept by regenerate", async () => {
    const app = copyShadcnApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const router = path.join(app, "src/App.tsx");
    // The user wraps a wired route's element: regenerate keeps it (the template did not change).
    writeFileSync(router, read(app, "src/App.tsx").replace("element={<HubSpotSetup />}", "element={<main><HubSpotSetup /></main>}"));
    const edited = read(app, "src/App.tsx");
    const regenerated = await run(["regenerate", "--all", "--json", "--target", app]);
    expect(regenerated.exitCode, regenerated.stdout).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(edited);
    // A second layout route makes the tree ambiguous: the next integration's routes come as a snippet, its own only.
    writeFileSync(router, edited.replace('        <Route path="*"', '        <Route element={<Home />}>\n          <Route path="/a" element={<Home />} />\n        </Route>\n        <Route element={<Login />}>\n          <Route path="/b" element={<Login />} />\n        </Route>\n        <Route path="*"'));
    const salesforce = await run(["new", "salesforce", "--yes", "--json", "--target", app]);
    expect(salesforce.exitCode, salesforce.stderr).toBe(0);
    const op = (JSON.parse(salesforce.stdout) as { files: { path: string; action: string; reason?: string; snippets?: string[] }[] }).files.find((f) => f.path === "src/App.tsx")!;
    expect(op.action).toBe("keep");
    expect(op.reason).toContain("it has 2 layout routes (<Home />, <Login />)");
    const snippets = op.snippets!.join("\n");
    expect(snippets).toContain('<Route path="/integrations/salesforce" element={<SalesforceSetup />} />');
    expect(snippets).not.toContain("IntegrationsIndexPage");
    expect(snippets).not.toContain("HubSpot");
  });

  it("relative child routes count as the app's own pages; a registry of the app's without `integrations` gets no index page", async () => {
    const app = copyShadcnApp();
    writeFileSync(
      path.join(app, "src/App.tsx"),
      read(app, "src/App.tsx")
        .replace('        <Route path="/" element={<Home />} />\n        <Route path="/login" element={<Login />} />', '        <Route path="/" element={<Home />}>\n          <Route path="login" element={<Login />} />\n          <Route path="integrations" element={<Home />} />\n        </Route>'),
    );
    const init = await run(["init", "--yes", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(JSON.parse(read(app, "nexus-integrate.config.json")).signInPath).toBe("/login");
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    expect(existsSync(path.join(app, "src/pages/integrations/IntegrationsIndexPage.tsx"))).toBe(false);

    const other = copyShadcnApp();
    mkdirSync(path.join(other, "src/integrations"), { recursive: true });
    writeFileSync(path.join(other, "src/integrations/registry.ts"), 'export const appIntegrations = [{ id: "crm", name: "CRM" }];\n');
    expect((await run(["init", "--yes", "--target", other])).exitCode).toBe(0);
    expect((await run(["new", "hubspot", "--yes", "--target", other])).exitCode).toBe(0);
    expect(existsSync(path.join(other, "src/pages/integrations/IntegrationsIndexPage.tsx"))).toBe(false);
    expect(read(other, "src/integrations/registry.ts")).toBe('export const appIntegrations = [{ id: "crm", name: "CRM" }];\n');
  });

  it("a missing shadcn part is named with the exact npx shadcn add command, and the pages bring their own in its place", async () => {
    const app = copyShadcnApp();
    rmSync(path.join(app, "src/components/ui/alert.tsx"));
    rmSync(path.join(app, "src/components/ui/badge.tsx"));
    const init = await run(["init", "--yes", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("npx shadcn@latest add alert badge (then nexus-integrate regenerate --all)");
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const ui = read(app, "src/components/integrations/nexus-integrate/ui.tsx");
    expect(ui).not.toContain("@/components/ui/alert");
    expect(ui).toContain('import { Button as AppButton, buttonVariants } from "@/components/ui/button";');
    expect(ui).toContain('<div ref={focusRef} role={role} tabIndex={-1} className={join(classes.notice.base, classes.notice[tone])}>');
  });

  it("an app without Tailwind gets the tool's own stylesheet; without a config the kit is detected all the same", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const ui = read(app, "src/components/integrations/nexus-integrate/ui.tsx");
    expect(ui).toContain('import "./nexus-integrate.css";');
    expect(ui).toContain('import { Card, CardContent, CardDescription, CardFooter, CardHeader } from "@/components/ui/card";');
    expect(read(app, "src/components/integrations/nexus-integrate/nexus-integrate.css")).toMatch(/^\.ni-button \{/m);
    // No config at all (no init): the kit, the router package and the app's name are read from the app.
    const shadcn = copyShadcnApp();
    const created = await run(["new", "hubspot", "--yes", "--target", shadcn]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(existsSync(path.join(shadcn, "nexus-integrate.config.json"))).toBe(false);
    expect(read(shadcn, "src/components/integrations/nexus-integrate/ui.tsx")).toContain("@/components/ui/button");
    expect(read(shadcn, "src/components/integrations/nexus-integrate/IntegrationSetup.tsx")).toContain('import { Link } from "react-router-dom";');
    expect(read(shadcn, "src/services/integrations/nexus-integrate/integration.ts")).toContain('export const APP_NAME = "Acme CRM";');
  });

  it("thin per-provider files: Setup and Callback together are at most 60 lines, and two providers' files differ only in the provider's names", async () => {
    const app = copyExampleApp();
    for (const provider of ["hubspot", "microsoft"]) expect((await run(["new", provider, "--template", "advanced", "--yes", "--target", app])).exitCode).toBe(0);
    const files = (pascal: string, id: string) => [
      `src/components/integrations/${pascal}Setup.tsx`,
      `src/pages/integrations/${pascal}CallbackPage.tsx`,
      `src/components/integrations/${pascal}Dashboard.tsx`,
      `src/hooks/use${pascal}Data.ts`,
      `src/services/integrations/${id}/${pascal}Service.ts`,
    ];
    const lines = (file: string) => read(app, file).split("\n").filter((line) => line.trim() !== "").length;
    for (const [pascal, id] of [["HubSpot", "hubspot"], ["Microsoft", "microsoft"]] as const) {
      const [setup, callback] = files(pascal, id);
      expect(lines(setup!) + lines(callback!), `${pascal}: Setup + Callback`).toBeLessThanOrEqual(60);
    }
    // With the provider's names swapped out, the files are the same text: the logic is shared, the data is in utils.ts.
    const neutral = (text: string, names: string[]) => names.reduce((t, name) => t.split(name).join("<provider>"), text).replace(/the \S+ spec/, "the <provider> spec");
    const hubspot = files("HubSpot", "hubspot").map((f) => neutral(read(app, f), ["HUBSPOT", "HubSpot", "hubSpot", "hubspot"]));
    const microsoft = files("Microsoft", "microsoft").map((f) => neutral(read(app, f), ["MICROSOFT", "Microsoft 365", "Microsoft", "microsoft"]));
    expect(microsoft).toEqual(hubspot);
  });

  it("regenerate over an app generated before the shared components moves it to the thin files, keeps a hand edit, and says what moved", async () => {
    const app = copyExampleApp();
    cpSync(path.join(REPO_ROOT, "tests", "fixtures", "thick-generated"), app, { recursive: true });
    const setup = "src/components/integrations/HubSpotSetup.tsx";
    const utils = "src/services/integrations/hubspot/utils.ts";
    expect(read(app, setup).split("\n").length).toBeGreaterThan(100); // the whole component, as the earlier version wrote it
    writeFileSync(path.join(app, setup), read(app, setup).replace("You can disconnect at any time.", "You can disconnect at any time (ask IT first)."));
    writeFileSync(path.join(app, utils), `${read(app, utils)}\nexport const HUBSPOT_SUPPORT_URL = "https://intranet.example.com/hubspot";\n`);

    const result = await run(["regenerate", "--all", "--json", "--target", app]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { files: { path: string; action: string; reason?: string }[] };
    const op = (file: string) => report.files.find((f) => f.path === file);
    for (const [file, shared] of [
      ["src/pages/integrations/HubSpotCallbackPage.tsx", "IntegrationCallback"],
      ["src/components/integrations/HubSpotDashboard.tsx", "IntegrationDashboard"],
      ["src/hooks/useHubSpotData.ts", "useIntegrationData"],
      ["src/services/integrations/hubspot/HubSpotService.ts", "IntegrationService"],
    ] as const) {
      expect(op(file), file).toMatchObject({ action: "update", reason: `moved to the shared ${shared} (nexus-integrate/ folder): this file now holds only hubspot's part` });
      expect(read(app, file).split("\n").length, file).toBeLessThan(15);
    }
    // The hand-edited whole component is kept as it is, and says why and how to move it.
    expect(op(setup)).toMatchObject({ action: "keep", reason: expect.stringContaining("moved to the shared IntegrationSetup") });
    expect(op(setup)!.reason).toContain("you edited this file, so it is kept as it is");
    expect(read(app, setup)).toContain("(ask IT first)");
    // The hand edit in the provider's data file is merged.
    expect(op(utils)).toMatchObject({ action: "merge" });
    expect(read(app, utils)).toContain('export const HUBSPOT_SUPPORT_URL = "https://intranet.example.com/hubspot";');
    expect(read(app, utils)).toContain("export const HUBSPOT_INTEGRATION: IntegrationConfig = {");

    // The app, the kept whole component included, still type-checks; and the result is not stale.
    linkAppDeps(app, EXAMPLE_APP);
    const tsc = await execa("node", [bin(app, "typescript", "bin/tsc"), "--noEmit", "-p", "tsconfig.json"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);
  }, 120_000);
});
