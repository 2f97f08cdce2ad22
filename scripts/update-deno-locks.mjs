#!/usr/bin/env node
/**
 * Writes the deno.lock every generated function ships with (its npm packages' resolved versions and
 * integrity hashes). Run it after changing an `npm:` version in a template: it generates the advanced
 * HubSpot integration into a copy of the example app, lets Deno resolve each function's graph with an
 * empty lock, and stores the lock Deno wrote as that function's template. The generated deno.json files
 * freeze the lock, so a stale one fails `deno check` (and the typecheck tests) instead of drifting.
 *
 *   node scripts/update-deno-locks.mjs          # rewrite the lock templates
 *   node scripts/update-deno-locks.mjs --check  # exit 1 if any differs from what Deno resolves today
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const deno = path.join(root, "node_modules", ".bin", "deno");
const registry = process.env.NPM_CONFIG_REGISTRY ?? execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
const check = process.argv.includes("--check");

/** Each lock template, the generated folder it is resolved in, and whether it is wrapped like its deno.json. */
const LOCKS = [
  { template: "templates/basic/integration/supabase/functions/{{id}}-exchange-tokens/deno.lock.hbs", folder: "hubspot-exchange-tokens" },
  { template: "templates/basic/integration/supabase/functions/{{id}}-sync/deno.lock.hbs", folder: "hubspot-sync" },
  { template: "templates/advanced/integration/supabase/functions/{{id}}-webhooks/deno.lock.hbs", folder: "hubspot-webhooks", wrap: "webhook" },
  { template: "templates/basic/shared/supabase/functions/_shared/nexus-integrate/deno.lock.hbs", folder: "_shared/nexus-integrate", allModules: true },
];

const work = mkdtempSync(path.join(tmpdir(), "nexus-locks-"));
try {
  const app = path.join(work, "app");
  cpSync(path.join(root, "examples", "nexus-app"), app, { recursive: true, filter: (f) => !f.includes("node_modules") });
  execFileSync("node", [path.join(root, "bin", "nexus-integrate.js"), "new", "hubspot", "--template", "advanced", "--yes", "-q", "--target", app], { stdio: "inherit" });
  let stale = 0;
  for (const lock of LOCKS) {
    const dir = path.join(app, "supabase", "functions", lock.folder);
    rmSync(path.join(dir, "deno.lock"), { force: true });
    // The shared folder has no entry point: every module in it is checked, so every import it makes is locked.
    const files = lock.allModules ? readdirSync(dir).filter((name) => name.endsWith(".ts")).sort() : ["index.ts"];
    execFileSync(deno, ["check", "--quiet", "--frozen=false", ...files], { cwd: dir, stdio: "inherit", env: { ...process.env, NPM_CONFIG_REGISTRY: registry, NO_COLOR: "1" } });
    const resolved = readFileSync(path.join(dir, "deno.lock"), "utf8");
    const text = lock.wrap ? `{{#if ${lock.wrap}}}\n${resolved}{{/if}}\n` : resolved;
    const file = path.join(root, lock.template);
    const current = existsSync(file) ? readFileSync(file, "utf8") : null;
    if (current === text) continue;
    stale += 1;
    if (check) console.error(`stale: ${lock.template}`);
    else {
      writeFileSync(file, text);
      console.log(`wrote ${lock.template}`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
