import { execa } from "execa";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../helpers/fixtures.js";

/** `npm run example`, the README's first set-up command's job: what it reports, and what it leaves behind. */
describe("npm run example", () => {
  it("lists every file new wrote, its migrations included, and leaves no temporary copy (--keep keeps one)", async () => {
    const tmp = tempDir("nexus-example-tmp-");
    const env = { TMPDIR: tmp, NO_COLOR: "1" };
    const result = await execa("node", [path.join(REPO_ROOT, "scripts/example.mjs")], { cwd: REPO_ROOT, env, stdin: "ignore" });
    for (const step of ["_nexus_integrate_001_schema.sql", "_nexus_integrate_009_job_calls_take_role.sql", "_hubspot_001_integration.sql", "_hubspot_003_sync_schedule.sql"]) {
      expect(result.stdout, step).toMatch(new RegExp(`── \\d{14}${step}$`, "m"));
    }
    expect(result.stdout).toMatch(/── HubSpotSetup\.tsx$/m);
    expect(readdirSync(tmp)).toEqual([]);

    const kept = await execa("node", [path.join(REPO_ROOT, "scripts/example.mjs"), "--keep"], { cwd: REPO_ROOT, env, stdin: "ignore" });
    const folder = /Kept (\S+) \(delete it when done\)/.exec(kept.stdout)?.[1];
    expect(folder).toBeDefined();
    expect(existsSync(path.join(folder!, "nexus-integrate.lock.json"))).toBe(true);
    expect(folder!.startsWith(tmp)).toBe(true);
  });
});
