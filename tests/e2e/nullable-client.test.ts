import { execa } from "execa";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { BIN, copyExampleApp, copyShadcnApp, SHADCN_APP } from "../helpers/fixtures.js";

/** An env-optional client (`SupabaseClient | null`): taken, and reached through a guard, so the generated code compiles and does not crash. */
function run(args: string[]) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });
}

const CLIENTS: [string, string][] = [
  [
    "a conditional",
    `import { createClient } from "@supabase/supabase-js";
const url = import.meta.env.VITE_SUPABASE_URL;
const key = import.meta.env.VITE_SUPABASE_PUBLISHABLE_KEY;
export const supabase = url && key ? createClient(url, key) : null;
`,
  ],
  [
    "an annotation",
    `import { createClient, type SupabaseClient } from "@supabase/supabase-js";
export const supabase: SupabaseClient | null = import.meta.env.VITE_SUPABASE_URL
  ? createClient(import.meta.env.VITE_SUPABASE_URL, "k")
  : (null as never);
`,
  ],
];

describe("an env-optional Supabase client", () => {
  it.each(CLIENTS)("written as %s: init and new take it, and the generated client.ts guards it (the calls fail saying Supabase is not configured)", async (_shape, client) => {
    const app = copyExampleApp();
    writeFileSync(path.join(app, "src/lib/supabase.ts"), client);
    rmSync(path.join(app, "nexus-integrate.config.json"));
    const init = await run(["init", "--yes", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain("src/lib/supabase.ts exports a supabase that may be null:");
    const created = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const guard = readFileSync(path.join(app, "src/services/integrations/nexus-integrate/client.ts"), "utf8");
    expect(guard).toContain("export const supabase: SupabaseClient = (appClient as unknown as SupabaseClient | null) ?? unconfiguredClient();");
    expect(guard).toContain('const CLIENT_MODULE = "src/lib/supabase.ts";');
    expect(guard).toContain("global: { fetch: () => Promise.reject(new Error(NOT_CONFIGURED)) }");
    // Every generated module reaches the app's client through the guard, none directly.
    for (const file of ["src/components/integrations/nexus-integrate/IntegrationSetup.tsx", "src/components/integrations/nexus-integrate/IntegrationCallback.tsx", "src/services/integrations/nexus-integrate/useSupabaseSession.ts"]) {
      expect(readFileSync(path.join(app, file), "utf8"), file).not.toContain('from "@/lib/supabase"');
    }
  });

  it("create-vite's strict tsconfig (erasableSyntaxOnly, verbatimModuleSyntax, noUnusedLocals) with an env-optional client: init --yes, new hubspot, new google-workspace --template advanced, then the app's tsc -b and vite build pass", async () => {
    const app = copyShadcnApp();
    writeFileSync(path.join(app, "src/lib/supabase.ts"), CLIENTS[0]![1]);
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    for (const args of [["new", "hubspot"], ["new", "google-workspace", "--template", "advanced"]]) {
      const created = await run([...args, "--yes", "--target", app]);
      expect(created.exitCode, created.stdout + created.stderr).toBe(0);
    }
    linkAppDeps(app, SHADCN_APP);
    const tsc = await execa("node", [path.join(app, "node_modules/typescript/bin/tsc"), "-b"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    const vite = await execa("node", [path.join(app, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], { cwd: app, reject: false });
    expect(vite.exitCode, vite.stderr).toBe(0);
  }, 240_000);

  it("the example app's client, always created (a warning when the env is missing), is not guarded", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    expect(readFileSync(path.join(app, "src/services/integrations/nexus-integrate/client.ts"), "utf8")).toContain("export const supabase = appClient as unknown as SupabaseClient;");
  });
});
