#!/usr/bin/env node
// The background-sync benchmark: npm run bench:sync [-- --connections 10000 --workers 4 --json out.json]
// Runs bench/sync.run.ts under vitest (which starts the test PostgreSQL cluster with pg_cron and installs the
// example app's dependencies, as the tests do); the scenarios and their figures are described there.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const connections = Number(option("connections", "10000"));
const workers = Number(option("workers", "4"));
if (!Number.isInteger(connections) || connections < 3) {
  console.error("--connections must be a whole number of at least 3");
  process.exit(2);
}
if (!Number.isInteger(workers) || workers < 1) {
  console.error("--workers must be a whole number of at least 1");
  process.exit(2);
}
const json = option("json", null);
const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--config", path.join(root, "bench", "vitest.sync.config.ts"), "bench/sync.run.ts"],
  {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      BENCH_CONNECTIONS: String(connections),
      BENCH_WORKERS: String(workers),
      ...(json ? { BENCH_JSON: path.resolve(json) } : {}),
    },
  },
);
process.exit(result.status ?? 1);
