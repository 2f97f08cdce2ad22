import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { denoCheckFunctions, functionEntries, tscApp } from "../helpers/app-checks.js";
import { copyExampleApp, hostileSpecInput } from "../helpers/fixtures.js";
import { generate, writeSpecFile } from "../helpers/generate.js";
import { listPresetIds } from "../../src/spec/presets.js";

/**
 * Layer 1 of "the generated integration works": every preset and a spec full of hostile but valid values
 * are generated into one copy of the example app; the app type-checks with its own tsc and every generated
 * edge function passes `deno check`.
 */
let app: string;

beforeAll(async () => {
  app = copyExampleApp();
  for (const preset of listPresetIds()) await generate(app, preset);
  await generate(app, undefined, { spec: writeSpecFile(hostileSpecInput()) });
  linkAppDeps(app);
}, 120_000);

describe("generated code type-checks", () => {
  it("the app passes tsc --noEmit (strict, noUnusedLocals)", async () => {
    const result = await tscApp(app);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("every edge function passes deno check in its own folder, in the app with its package.json and node_modules", async () => {
    const entries = functionEntries(app);
    expect(entries).toEqual(
      ["acme-hostile", ...listPresetIds()].flatMap((id) => [`${id}-exchange-tokens/index.ts`, `${id}-sync/index.ts`]).sort(),
    );
    expect(await denoCheckFunctions(app, entries)).toEqual([]);
  }, 300_000);

  it("without its deno.json a function fails deno check there (the app's package.json would govern it)", async () => {
    const fn = path.join(app, "supabase", "functions", "hubspot-sync");
    const config = readFileSync(path.join(fn, "deno.json"), "utf8");
    rmSync(path.join(fn, "deno.json"));
    try {
      const [failure] = await denoCheckFunctions(app, ["hubspot-sync/index.ts"]);
      expect(failure?.output).toMatch(/Could not find a matching package for 'npm:/);
    } finally {
      writeFileSync(path.join(fn, "deno.json"), config);
    }
  });

  it("edge functions import only npm: specifiers pinned to an exact version, one per package, and relative modules", () => {
    const functions = path.join(app, "supabase", "functions");
    const files = readdirSync(functions, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const versions = new Map<string, Set<string>>();
    for (const file of files) {
      const source = readFileSync(path.join(functions, file), "utf8");
      for (const [, specifier] of source.matchAll(/from\s+"([^"]+)"/g)) {
        expect(specifier, file).toMatch(/^(npm:(@[a-z0-9-]+\/)?[a-z0-9.-]+@\d+\.\d+\.\d+(\/[^"]*)?|\.\.?\/.*)$/);
        const pinned = /^npm:((?:@[^/]+\/)?[^@/]+)@([^/]+)/.exec(specifier!);
        if (pinned) versions.set(pinned[1]!, new Set([...(versions.get(pinned[1]!) ?? []), pinned[2]!]));
      }
    }
    expect(versions.size).toBeGreaterThan(0);
    for (const [name, found] of versions) expect([...found], name).toHaveLength(1);
  });
});
