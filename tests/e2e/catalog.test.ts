import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, REPO_ROOT } from "../helpers/fixtures.js";
import { listPresetIds, presetVariables } from "../../src/spec/presets.js";

/**
 * The README's CI gate must be green on day one: for every preset and every example spec, what the lockfile
 * records renders byte-identically to what `new` wrote.
 */
function run(args: string[]) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" } });
}

const sources: [string, string[]][] = [
  // A required variable (Okta's org domain) is given as a user gives it: --var with its example value.
  ...listPresetIds().map((id): [string, string[]] => [
    id,
    [id, ...Object.entries(presetVariables(id)).flatMap(([name, variable]) => (variable.required ? ["--var", `${name}=${variable.example}`] : []))],
  ]),
  ...["acme.yaml", "globex.json"].map((file): [string, string[]] => [file, ["--spec", path.join(REPO_ROOT, "examples", "specs", file)]]),
];

describe("a preset variable no default serves", () => {
  it("new okta without --var domain exits 2 naming the variable and an example, writing nothing; with it, the org's endpoints", async () => {
    const app = copyExampleApp();
    const refused = await run(["new", "okta", "--yes", "--target", app]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--var domain: preset "okta" needs it: your Okta org domain, such as dev-123456.okta.com or acme.okta.com (or the org\'s custom domain) (for example --var domain=dev-123456.okta.com)');
    expect(existsSync(path.join(app, "nexus-integrate.lock.json"))).toBe(false);
    const made = await run(["new", "okta", "--var", "domain=acme.okta.com", "--yes", "--json", "--target", app]);
    expect(made.exitCode, made.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")) as { integrations: { okta: { spec: { tokenUrl: string } } } };
    expect(lock.integrations.okta.spec.tokenUrl).toBe("https://acme.okta.com/oauth2/v1/token");
  });

  it("adopt okta without --var domain is refused the same way, before anything is read or written", async () => {
    const app = copyExampleApp();
    const refused = await run(["adopt", "okta", "--yes", "--target", app]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--var domain: preset "okta" needs it');
    expect(refused.stderr).not.toContain("no hand-written okta integration");
  });
});

describe("new → regenerate --all --check is green for the whole catalog", () => {
  it.each(sources)("%s", async (_name, args) => {
    const app = copyExampleApp();
    const created = await run(["new", ...args, "--yes", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const check = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });
});
