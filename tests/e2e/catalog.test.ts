import { execa } from "execa";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, REPO_ROOT } from "../helpers/fixtures.js";
import { listPresetIds } from "../../src/spec/presets.js";

/**
 * The README's CI gate must be green on day one: for every preset and every example spec, what the lockfile
 * records renders byte-identically to what `new` wrote.
 */
function run(args: string[]) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" } });
}

const sources: [string, string[]][] = [
  ...listPresetIds().map((id): [string, string[]] => [id, [id]]),
  ...["acme.yaml", "globex.json"].map((file): [string, string[]] => [file, ["--spec", path.join(REPO_ROOT, "examples", "specs", file)]]),
];

describe("new → regenerate --all --check is green for the whole catalog", () => {
  it.each(sources)("%s", async (_name, args) => {
    const app = copyExampleApp();
    const created = await run(["new", ...args, "--yes", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const check = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });
});
