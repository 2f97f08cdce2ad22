import { readdirSync, readFileSync } from "node:fs";
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

  it("every edge function passes deno check", async () => {
    const functions = path.join(app, "supabase", "functions");
    const entries = functionEntries(app);
    expect(entries).toEqual(
      ["acme-hostile", ...listPresetIds()].flatMap((id) => [`${id}-exchange-tokens/index.ts`, `${id}-sync/index.ts`]).sort(),
    );
    const shared = readdirSync(path.join(functions, "_shared")).filter((f) => f.endsWith(".ts")).map((f) => `_shared/${f}`);
    const result = await denoCheckFunctions(app, [...entries, ...shared]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.exitCode).toBe(0);
  });

  it("edge functions import only npm: specifiers and relative modules", () => {
    const functions = path.join(app, "supabase", "functions");
    const files = readdirSync(functions, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    for (const file of files) {
      const source = readFileSync(path.join(functions, file), "utf8");
      for (const [, specifier] of source.matchAll(/from\s+"([^"]+)"/g)) {
        expect(specifier, file).toMatch(/^(npm:|\.\.?\/)/);
      }
    }
  });
});
