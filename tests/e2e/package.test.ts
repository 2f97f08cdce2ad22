import { execa } from "execa";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyExampleApp, REPO_ROOT, snapshotTree, tempDir } from "../helpers/fixtures.js";

/**
 * The classic generator bug is templates missing from the published package: pack it, install the tarball
 * into an empty folder, and generate from there.
 */
describe("the published package", () => {
  it("packs dist, templates, presets, README and LICENSE (no tests, no examples) and works when installed", async () => {
    const out = tempDir("nexus-pack-");
    const packed = await execa("npm", ["pack", "--json", "--pack-destination", out], { cwd: REPO_ROOT, env: { npm_config_ignore_scripts: "true" } });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; size: number; entryCount: number; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    for (const required of ["dist/cli.js", "dist/builtin-templates.cjs", "bin/nexus-integrate.js", "README.md", "LICENSE", "package.json", "presets/hubspot.json", "templates/basic/integration/src/components/integrations/{{pascal}}Setup.tsx.hbs", "templates/advanced/integration/supabase/functions/{{id}}-webhooks/index.ts.hbs"]) {
      expect(files, required).toContain(required);
    }
    expect(files.filter((f) => f.startsWith("tests/") || f.startsWith("examples/") || f.includes("node_modules"))).toEqual([]);
    console.info(`npm pack: ${info.filename}, ${info.size} bytes, ${info.entryCount} files`);

    const project = path.join(tempDir("nexus-install-"), "project");
    mkdirSync(project);
    await execa("npm", ["init", "-y"], { cwd: project });
    await execa("npm", ["install", "--no-audit", "--no-fund", path.join(out, info.filename)], { cwd: project });
    const app = copyExampleApp();
    const version = await execa("npx", ["nexus-integrate", "--version"], { cwd: project });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version);
    const result = await execa("npx", ["nexus-integrate", "new", "hubspot", "--yes", "--target", app], { cwd: project, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(Object.keys(snapshotTree(app))).toContain("src/components/integrations/HubSpotSetup.tsx");
    // the team-template path needs the Handlebars compiler at run time: it must be installed with the package
    const check = await execa("npx", ["nexus-integrate", "templates", "check", "--target", app, "--templates", path.join(REPO_ROOT, "examples", "custom-templates")], { cwd: project, reject: false });
    expect(check.exitCode, check.stderr).toBe(0);

    // The README's "Installing it in your app", exactly: the tarball as a dev dependency of an app that does not
    // have the tool yet, then init and new through npx, from a folder inside the app.
    const team = copyExampleApp();
    rmSync(path.join(team, "nexus-integrate.config.json")); // an app new to the tool has none
    const before = await execa("npx", ["--no-install", "nexus-integrate", "--version"], { cwd: team, reject: false });
    expect(before.exitCode).not.toBe(0); // not installed: npx finds nothing (and is not allowed to fetch)
    await execa("npm", ["install", "--save-dev", "--prefer-offline", "--no-audit", "--no-fund", path.join(out, info.filename)], { cwd: team });
    expect(JSON.parse(readFileSync(path.join(team, "package.json"), "utf8")).devDependencies["nexus-integrate"]).toMatch(/^file:/);
    const inside = path.join(team, "src", "components");
    const init = await execa("npx", ["nexus-integrate", "init", "--yes"], { cwd: inside, reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    const created = await execa("npx", ["nexus-integrate", "new", "hubspot", "--yes"], { cwd: inside, reject: false });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(Object.keys(snapshotTree(team))).toContain("supabase/functions/hubspot-sync/index.ts");
    const gate = await execa("npx", ["nexus-integrate", "regenerate", "--all", "--check"], { cwd: team, reject: false });
    expect(gate.exitCode, gate.stdout + gate.stderr).toBe(0);
  }, 300_000);
});
