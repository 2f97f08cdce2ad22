#!/usr/bin/env node
// The health page's query benchmark: npm run bench:health [-- --json out.json]
// Runs bench/health.run.ts under vitest (which starts the test PostgreSQL cluster, as the tests do): the health
// report and each statement in it at 1,000,000 and 10,000,000 events, with their plans. About 5 minutes.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const i = args.indexOf("--json");
const json = i >= 0 ? args[i + 1] : null;
if (i >= 0 && !json) {
  console.error("--json needs a file name");
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--config", path.join(root, "bench", "vitest.sync.config.ts"), "bench/health.run.ts"],
  { cwd: root, stdio: "inherit", env: { ...process.env, ...(json ? { BENCH_JSON: path.resolve(json) } : {}) } },
);
process.exit(result.status ?? 1);
