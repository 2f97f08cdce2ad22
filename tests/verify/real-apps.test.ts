import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectAdvisorsQuiet, SHARED_READABLE } from "../helpers/advisors.js";
import { linkAppDeps } from "../helpers/app-deps.js";
import { denoCheckFromRoot, denoCheckFunctions, functionEntries } from "../helpers/app-checks.js";
import { BIN, copyLovableApp, copyShadcnApp, copyTanstackApp, ENV_OPTIONAL_CLIENT, SHADCN_APP, snapshotTree, TANSTACK_APP } from "../helpers/fixtures.js";
import { createSupabaseDatabase, dbPush, type TestDb } from "../helpers/postgres.js";

/**
 * The apps people really have, each written by this project to a shape seen in the wild, with no config and no
 * markers: a Lovable-shaped app (its typed client at src/integrations/supabase/client.ts, shadcn, react-router-dom,
 * port 8080, tsconfig.app.json), create-vite's strict react-ts app with an env-optional client, and a TanStack
 * Router file-routes app. Each goes through init --yes, new hubspot and new google-workspace --template advanced,
 * then the app's own build, `deno check` from the root and in each function's folder, and `supabase db push` with
 * the advisor. (The browser walks of the same apps are in tests/browser/walk.test.ts.)
 */
const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: ENV });
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const opened: TestDb[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});


const APPS = [
  {
    name: "a Lovable-shaped app",
    copy: copyLovableApp,
    deps: SHADCN_APP, // the same packages as the shadcn fixture, installed once
    appUrl: "http://localhost:8080",
    client: "@/integrations/supabase/client",
    router: "react-router-dom",
  },
  {
    name: "create-vite's strict app with an env-optional client",
    copy: () => {
      const app = copyShadcnApp();
      writeFileSync(path.join(app, "src/lib/supabase.ts"), ENV_OPTIONAL_CLIENT);
      return app;
    },
    deps: SHADCN_APP,
    appUrl: "http://localhost:5173",
    client: "@/lib/supabase",
    router: "react-router-dom",
  },
  { name: "a TanStack Router file-routes app", copy: copyTanstackApp, deps: TANSTACK_APP, appUrl: "http://localhost:5173", client: "@/lib/supabase", router: "@tanstack/react-router" },
] as const;

describe.each(APPS)("$name", ({ copy, deps, appUrl, client, router }) => {
  it("init --yes, new hubspot, new google-workspace --template advanced; the app's build, tsc -b, deno check from the root and per function, supabase db push and the advisor all pass", async () => {
    const app = copy();
    expect(existsSync(path.join(app, "nexus-integrate.config.json"))).toBe(false);
    linkAppDeps(app, deps);
    const init = await run(["init", "--yes", "--target", app]);
    expect(init.exitCode, init.stdout + init.stderr).toBe(0);
    expect(JSON.parse(read(app, "nexus-integrate.config.json"))).toMatchObject({ appUrl, imports: { supabase: client, router } });
    for (const args of [["new", "hubspot"], ["new", "google-workspace", "--template", "advanced"]]) {
      const created = await run([...args, "--yes", "--json", "--target", app]);
      expect(created.exitCode, created.stdout + created.stderr).toBe(0);
      const report = JSON.parse(created.stdout) as { files: { snippets?: string[] }[]; nextSteps: string[] };
      expect(report.files.filter((file) => file.snippets), "nothing to paste").toEqual([]);
      expect(report.nextSteps[0]).toContain(`${appUrl}/integrations/`);
    }

    // The app's own build script, and the project-wide type check its template runs (tsc -b).
    const build = await execa("npm", ["run", "build", "--silent"], { cwd: app, reject: false, env: { NO_COLOR: "1" } });
    expect(build.exitCode, build.stdout + build.stderr).toBe(0);
    const tsc = await execa("node", [path.join(app, "node_modules/typescript/bin/tsc"), "-b"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");

    const entries = functionEntries(app);
    expect(entries).toEqual(["google-workspace-exchange-tokens/index.ts", "google-workspace-sync/index.ts", "hubspot-exchange-tokens/index.ts", "hubspot-sync/index.ts"]);
    const fromRoot = await denoCheckFromRoot(app, entries);
    expect(fromRoot.exitCode, fromRoot.stdout + fromRoot.stderr).toBe(0);
    expect(existsSync(path.join(app, "deno.lock")), "checking from the root leaves no lockfile there").toBe(false);
    expect(await denoCheckFunctions(app, entries)).toEqual([]);

    const db = await createSupabaseDatabase();
    opened.push(db);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.google_workspace_records", "public.hubspot_records"]);
  }, 600_000);
});

describe("deno check from the app root", () => {
  it("fails without the root deno.jsonc (package.json makes Deno look in node_modules), and an app's own deno.json is left alone with a next step", async () => {
    const app = copyTanstackApp();
    linkAppDeps(app, TANSTACK_APP);
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const config = read(app, "deno.jsonc");
    writeFileSync(path.join(app, "deno.jsonc"), "{}\n");
    const without = await denoCheckFromRoot(app, ["hubspot-sync/index.ts"]);
    expect(without.exitCode).not.toBe(0);
    expect(without.stderr).toContain("in the node_modules directory");
    writeFileSync(path.join(app, "deno.jsonc"), config);

    const owned = copyTanstackApp();
    writeFileSync(path.join(owned, "deno.json"), '{ "tasks": { "fmt": "deno fmt supabase/functions" } }\n');
    const before = read(owned, "deno.json");
    const created = await run(["new", "hubspot", "--yes", "--json", "--target", owned]);
    expect(created.exitCode).toBe(0);
    expect(read(owned, "deno.json")).toBe(before);
    expect(existsSync(path.join(owned, "deno.jsonc"))).toBe(false);
    expect((JSON.parse(created.stdout) as { nextSteps: string[] }).nextSteps).toContain(
      'deno.json is the app\'s: for `deno check supabase/functions/hubspot-sync/index.ts` from the app root, add "nodeModulesDir": "none" to it (the functions\' npm: imports then come from Deno\'s cache, not node_modules).',
    );
    expect(Object.keys(snapshotTree(owned))).toContain("deno.json");
  }, 300_000);
});
