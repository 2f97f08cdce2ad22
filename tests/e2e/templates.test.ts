import { execa } from "execa";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { BIN, copyExampleApp, REPO_ROOT, snapshotTree, tempDir } from "../helpers/fixtures.js";

const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: ENV });
const SETUP = "src/components/integrations/HubSpotSetup.tsx";
const EJECTED_SETUP = ".nexus-integrate/templates/basic/integration/src/components/integrations/{{pascal}}Setup.tsx.hbs";
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const write = (app: string, file: string, text: string) => writeFileSync(path.join(app, file), text);

describe("team-owned templates", () => {
  it("eject → edit a template → --check names the stale file → regenerate keeps the user's edit → --check passes", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const eject = await run(["templates", "eject", "--target", app]);
    expect(eject.exitCode, eject.stderr).toBe(0);
    expect(JSON.parse(read(app, "nexus-integrate.config.json")).templates).toBe(".nexus-integrate/templates");
    expect(read(app, EJECTED_SETUP)).toBe(readFileSync(path.join(REPO_ROOT, "templates", "basic", "integration", "src/components/integrations/{{pascal}}Setup.tsx.hbs"), "utf8"));
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0); // ejected = built-in
    // a template the team does not change can go: the built-in one is used
    rmSync(path.join(app, ".nexus-integrate/templates/basic/integration/src/services/integrations/{{id}}/utils.ts.hbs"));

    write(app, EJECTED_SETUP, read(app, EJECTED_SETUP).replace("to customise it.", "to customise it (team)."));
    write(app, SETUP, `${read(app, SETUP)}\nexport const OUR_NOTE = "kept";\n`); // a user's edit elsewhere
    const stale = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain(SETUP);

    const applied = await run(["regenerate", "--all", "--target", app]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(read(app, SETUP)).toContain("to customise it (team).");
    expect(read(app, SETUP)).toContain('export const OUR_NOTE = "kept";');
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);

    const lock = JSON.parse(read(app, "nexus-integrate.lock.json"));
    const setup = lock.integrations.hubspot.outputs.find((o: { path: string }) => o.path === SETUP);
    expect(setup.source).toBe(".nexus-integrate/templates/basic/integration/src/components/integrations/{{pascal}}Setup.tsx.hbs");
    expect(setup.templateSha256).toMatch(/^[0-9a-f]{64}$/);
    const utils = lock.integrations.hubspot.outputs.find((o: { path: string }) => o.path.endsWith("hubspot/utils.ts"));
    expect(utils.source).toMatch(/^builtin@/);
  });

  it("the worked example changes the setup component and adds a file", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "hubspot", "--yes", "--target", app, "--templates", path.join(REPO_ROOT, "examples", "custom-templates")]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(app, SETUP)).toContain("<HubSpotBadge />");
    expect(existsSync(path.join(app, "src/components/integrations/HubSpotBadge.tsx"))).toBe(true);
    // The team's setup is a few lines over the shared card, and the app type-checks with it.
    linkAppDeps(app);
    const tsc = await execa("node", [path.join(app, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    const check = await run(["templates", "check", "--target", app, "--templates", path.join(REPO_ROOT, "examples", "custom-templates")]);
    expect(check.exitCode, check.stderr).toBe(0);
  });

  const broken: [string, string, RegExp][] = [
    ["an unknown variable", 'export const X = {{tsString spec.nope}};\n', /\{\{pascal\}\}Broken\.ts\.hbs:1:\d+: unknown variable "spec\.nope"/],
    ["a syntax error", "line one\n{{#if spec.pkce}}never closed\n", /\{\{pascal\}\}Broken\.ts\.hbs:\d+:\d+: /],
    ["an unescaped value", 'export const X = "{{spec.displayName}}";\n', /\{\{pascal\}\}Broken\.ts\.hbs:1:19: .*context helper/],
  ];

  it.each(broken)("%s: new and templates check exit 2 with file:line, nothing written", async (_name, source, message) => {
    const app = copyExampleApp();
    const templates = path.join(tempDir(), "team");
    cpSync(path.join(REPO_ROOT, "examples", "custom-templates"), templates, { recursive: true });
    writeFileSync(path.join(templates, "basic/integration/src/components/integrations/{{pascal}}Broken.ts.hbs"), source);
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--yes", "--target", app, "--templates", templates]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(snapshotTree(app)).toEqual(before);
    const check = await run(["templates", "check", "--target", app, "--templates", templates]);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toMatch(message);
  });
});
