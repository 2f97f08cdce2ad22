import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp } from "../helpers/fixtures.js";

/** `--json`: exactly one JSON object on stdout — `command`, `ok`, `errors[{path, message}]` — whatever went wrong. */
function run(args: string[]) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });
}

function onlyObject(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe("--json envelope", () => {
  it.each([
    [["new", "hubspot", "--tempalte", "basic", "--json"], "new", "--tempalte", "Did you mean --template?"],
    [["new", "hubspot", "--template", "huge", "--json"], "new", "--template", "Allowed choices are basic, advanced"],
    [["new", "--json", "--spec"], "new", "--spec", "argument missing"],
    [["adopt", "--json"], "adopt", "provider", "missing required argument 'provider'"],
    [["templates", "check", "--json", "--bogus"], "templates check", "--bogus", "unknown option"],
    [["neww", "--json"], "nexus-integrate", "command", "Did you mean new?"],
  ] as const)("a usage error (%j): one object naming the command and the flag, exit 2, nothing on stderr", async (args, command, path, text) => {
    const result = await run([...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("");
    const report = onlyObject(result.stdout);
    expect(report).toMatchObject({ command, ok: false, files: [], error: { code: "usage" } });
    expect(Array.isArray(report.nextSteps)).toBe(true);
    const errors = report.errors as { path: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe(path);
    expect(errors[0]!.message).toContain(text);
  });

  it("an invalid value found by the command itself names the command and the field", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "Acme CRM!", "--yes", "--json", "--target", app]);
    expect(result.exitCode).toBe(2);
    const report = onlyObject(result.stdout);
    expect(report).toMatchObject({ command: "new", ok: false });
    expect((report.errors as { path: string }[])[0]!.path).toBe("id");
  });

  it.each([
    [["list", "--json"], "list"],
    [["schema", "--json"], "schema"],
    [["templates", "check", "--json"], "templates check"],
    [["doctor", "--json"], "doctor"],
  ] as const)("%j uses the same envelope: command, ok, files, nextSteps, errors, then its own fields", async (args, command) => {
    const app = copyExampleApp();
    const result = await run([...args, "--target", app]);
    const report = onlyObject(result.stdout);
    expect(Object.keys(report).slice(0, 5)).toEqual(["command", "ok", "files", "nextSteps", "errors"]);
    expect(report).toMatchObject({ command, errors: [] });
    expect(Array.isArray(report.files) && Array.isArray(report.nextSteps)).toBe(true);
    if (command === "doctor") {
      // doctor's next steps are the fixes of its failing checks.
      const failing = (report.findings as { ok: boolean; fix?: string }[]).filter((f) => !f.ok && f.fix).map((f) => f.fix);
      expect(report.nextSteps).toEqual([...new Set(failing)]);
    } else expect(result.exitCode, result.stderr).toBe(0);
  });
});
