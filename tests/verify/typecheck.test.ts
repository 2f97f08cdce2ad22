import { execa } from "execa";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { denoCheckFunctions, functionEntries, tscApp } from "../helpers/app-checks.js";
import { copyExampleApp, hostileSpecInput, tempDir } from "../helpers/fixtures.js";
import { DENO, denoEnv } from "../helpers/deno.js";
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

  it("without its deno.json (and the root deno.jsonc) a function fails deno check there (the app's package.json would govern it)", async () => {
    const fn = path.join(app, "supabase", "functions", "hubspot-sync");
    const config = readFileSync(path.join(fn, "deno.json"), "utf8");
    const root = readFileSync(path.join(app, "deno.jsonc"), "utf8");
    rmSync(path.join(fn, "deno.json"));
    rmSync(path.join(app, "deno.jsonc"));
    try {
      const [failure] = await denoCheckFunctions(app, ["hubspot-sync/index.ts"]);
      expect(failure?.output).toMatch(/Could not find a matching package for 'npm:/);
    } finally {
      writeFileSync(path.join(fn, "deno.json"), config);
      writeFileSync(path.join(app, "deno.jsonc"), root);
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

  it("every function ships a deno.lock its deno.json freezes: deno check leaves it byte for byte, and `deno check --frozen` refuses a lock that lacks a package or whose hash was changed", async () => {
    const functions = path.join(app, "supabase", "functions");
    const entries = functionEntries(app);
    const locks = new Map<string, string>();
    for (const entry of entries) {
      const dir = path.join(functions, path.dirname(entry));
      expect(JSON.parse(readFileSync(path.join(dir, "deno.json"), "utf8")).lock, entry).toEqual({ path: "./deno.lock", frozen: true });
      const lock = readFileSync(path.join(dir, "deno.lock"), "utf8");
      const parsed = JSON.parse(lock) as { specifiers: Record<string, string>; npm: Record<string, { integrity: string }> };
      // Each specifier the function imports is locked to the exact version it names, with an integrity hash.
      for (const [specifier, version] of Object.entries(parsed.specifiers)) expect(specifier, entry).toBe(`${specifier.replace(/@[^@]+$/, "")}@${version}`);
      for (const [name, pkg] of Object.entries(parsed.npm)) expect(pkg.integrity, name).toMatch(/^sha512-/);
      locks.set(entry, lock);
    }
    // The typecheck above ran as developers run it; the frozen locks did not move.
    for (const [entry, lock] of locks) expect(readFileSync(path.join(functions, path.dirname(entry), "deno.lock"), "utf8"), entry).toBe(lock);

    const exchange = path.join(functions, "hubspot-exchange-tokens");
    const frozen = (dir: string, env: Record<string, string> = {}) =>
      execa(DENO, ["check", "--quiet", "--frozen", "index.ts"], { cwd: dir, reject: false, env: denoEnv(env), timeout: 240_000 });
    expect((await frozen(exchange)).exitCode).toBe(0);
    const original = locks.get("hubspot-exchange-tokens/index.ts")!;
    try {
      const lacking = JSON.parse(original);
      delete lacking.specifiers["npm:oauth4webapi@3.8.8"];
      delete lacking.npm["oauth4webapi@3.8.8"];
      writeFileSync(path.join(exchange, "deno.lock"), `${JSON.stringify(lacking, null, 2)}\n`);
      const stale = await frozen(exchange);
      expect(stale.exitCode).not.toBe(0);
      expect(stale.stderr).toMatch(/lockfile is out of date/i);

      // A changed hash fails where Deno fetches the package (an empty cache, as on a fresh machine).
      const tampered = JSON.parse(original);
      const hash = tampered.npm["postgres@3.4.9"].integrity as string;
      tampered.npm["postgres@3.4.9"].integrity = `sha512-${hash.slice(7, 8) === "A" ? "B" : "A"}${hash.slice(8)}`;
      writeFileSync(path.join(exchange, "deno.lock"), `${JSON.stringify(tampered, null, 2)}\n`);
      const wrongHash = await frozen(exchange, { DENO_DIR: tempDir() });
      expect(wrongHash.exitCode).not.toBe(0);
      expect(wrongHash.stderr).toMatch(/checksum did not match/i);
    } finally {
      writeFileSync(path.join(exchange, "deno.lock"), original);
    }
    // Every function is checked in its own folder, one Deno process each: minutes on a loaded machine.
  }, 600_000);
});
