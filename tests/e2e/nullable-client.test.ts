import { execa } from "execa";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, snapshotTree } from "../helpers/fixtures.js";

/** An env-optional client (`SupabaseClient | null`) would not compile under the generated code: refused, saying why. */
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
  it.each(CLIENTS)("written as %s: new exits 2 naming the module and the fix, init too; nothing written", async (_shape, client) => {
    const app = copyExampleApp();
    writeFileSync(path.join(app, "src/lib/supabase.ts"), client);
    const before = snapshotTree(app);
    const created = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(created.exitCode).toBe(2);
    expect(created.stderr).toContain("imports.supabase: src/lib/supabase.ts exports a supabase that may be null");
    expect(created.stderr).toContain("export a client that is always there");
    expect(snapshotTree(app)).toEqual(before);

    rmSync(path.join(app, "nexus-integrate.config.json"));
    const init = await run(["init", "--yes", "--target", app]);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toContain("src/lib/supabase.ts exports a supabase that may be null");
  });

  it("the example app's client, always created (a warning when the env is missing), is taken", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
  });
});
