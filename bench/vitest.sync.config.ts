import { defineConfig } from "vitest/config";

/** The database benchmarks (never part of `npm test`): bench/sync.mjs runs the sync one, bench/health.mjs the health one. */
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["bench/sync.run.ts", "bench/health.run.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 3_600_000,
    pool: "forks",
    reporters: ["default"],
  },
});
