import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../helpers/fixtures.js";

/** The benchmark itself is not a test (figures are noisy); this only checks that the script runs. */
describe("bench/run.mjs", () => {
  it("runs every case once and writes its JSON", async () => {
    const out = path.join(tempDir(), "bench.json");
    const result = await execa("node", [path.join(REPO_ROOT, "bench", "run.mjs"), "--runs", "1", "--sizes", "2", "--json", out], { cwd: REPO_ROOT });
    expect(result.stdout).toContain("| nexus-integrate new hubspot --yes |");
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(json.results).sort()).toEqual(["check", "hygen", "new", "node", "plop", "version"]);
    expect(json.results.check[0].integrations).toBe(2);
    expect(Object.keys(json.targets)).toContain("new ≤ 1.0× hygen");
    // plop's and hygen's templates are made from ours at each run: no committed copy to drift.
    for (const copy of ["plop", "hygen"]) expect(existsSync(path.join(REPO_ROOT, "bench", copy)), copy).toBe(false);
  }, 120_000);
});
