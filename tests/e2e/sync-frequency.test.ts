import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, snapshotTree } from "../helpers/fixtures.js";

const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" } });

describe("new --sync-frequency", () => {
  it("sets how often Cron syncs each connection, kept as the user's own value over the preset's", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "hubspot", "--sync-frequency", "15m", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Background sync (every 15 minutes, Supabase Cron)");
    expect(result.stdout).toContain("NEXUS_WORKER_SECRET");
    const provider = readFileSync(path.join(app, "supabase/functions/_shared/nexus-integrate/providers/hubspot.ts"), "utf8");
    expect(provider).toContain("frequencySeconds: 900,");
    const lock = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8"));
    expect(lock.integrations.hubspot.source.overrides.sync.frequencySeconds).toBe(900);
    // regenerate keeps the user's value when the preset is resolved again
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);
  });

  it("the preset's default otherwise (HubSpot: hourly; Google Calendar: every 15 minutes)", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "google-workspace", "--yes", "--target", app])).exitCode).toBe(0);
    const provider = readFileSync(path.join(app, "supabase/functions/_shared/nexus-integrate/providers/google-workspace.ts"), "utf8");
    expect(provider).toContain("frequencySeconds: 900,");
  });

  it.each([
    ["soon", "--sync-frequency", /must be a duration such as 30s, 15m, 1h or 1d/],
    ["10s", "sync.frequencySeconds", /must be at least 30 seconds/],
    ["8d", "sync.frequencySeconds", /must be at most a week/],
  ])("%s: exit 2 naming the field, nothing written", async (value, field, message) => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--sync-frequency", value, "--yes", "--json", "--target", app]);
    expect(result.exitCode).toBe(2);
    const report = JSON.parse(result.stdout) as { errors: { path: string; message: string }[] };
    expect(report.errors).toEqual([{ path: field, message: expect.stringMatching(message) }]);
    expect(snapshotTree(app)).toEqual(before);
    expect(existsSync(path.join(app, "nexus-integrate.lock.json"))).toBe(false);
  });
});
