import { defineConfig } from "vitest/config";

/** Only the sync benchmark (never part of `npm test`): bench/sync.mjs runs it. */
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["bench/sync.run.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 3_600_000,
    pool: "forks",
    reporters: ["default"],
  },
});
