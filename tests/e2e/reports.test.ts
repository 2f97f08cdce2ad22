import { execa } from "execa";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, copyPlaybookApp, snapshotTree } from "../helpers/fixtures.js";
import { makeToolCopy } from "../helpers/tool-copy.js";

/** Reports that tell the truth, and errors a person can act on. */
function run(args: string[], options: { bin?: string; uid?: number } = {}) {
  return execa("node", [options.bin ?? BIN, ...args], {
    reject: false,
    stdin: "ignore",
    env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" },
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}

describe("choosing a provider", () => {
  it("a preset one typo away is refused with the suggestion (exit 2, nothing written), not taken for a new provider", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await run(["new", "hubsopt", "--yes", "--target", app]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"hubsopt" is not a preset');
    expect(result.stderr).toContain("did you mean hubspot? (`nexus-integrate new hubspot`");
    expect(snapshotTree(app)).toEqual(before);
    // With endpoints, the same name is a new provider of its own.
    const custom = await run([
      "new", "hubsopt", "--yes", "--target", app, "--name", "Hubsopt", "--auth-url", "https://auth.example.com/a",
      "--token-url", "https://auth.example.com/t", "--api-base-url", "https://api.example.com", "--scopes", "read", "--sync-path", "/items",
    ]);
    expect(custom.exitCode, custom.stderr).toBe(0);
  });

  it("a preset's name in another case is the preset", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "HubSpot", "--yes", "--json", "--target", app]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout).integration.id).toBe("hubspot");
  });
});

describe("review fixes", () => {
  it("JSON errors name files as paths (conflicts, --check), and the --force step keeps the target", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const utils = path.join(app, "src/services/integrations/hubspot/utils.ts");
    writeFileSync(utils, `${readFileSync(utils, "utf8")}// mine\n`);
    const conflict = JSON.parse((await run(["new", "hubspot", "--yes", "--json", "--target", app])).stdout) as { errors: { path: string; message: string }[] };
    expect(conflict.errors).toEqual([{ path: "src/services/integrations/hubspot/utils.ts", message: "was edited since nexus-integrate wrote it" }]);

    const v2 = makeToolCopy();
    v2.editTemplate("basic/integration/src/services/integrations/{{id}}/utils.ts.hbs", (t) => `// v2\n${t}`);
    const check = JSON.parse((await run(["regenerate", "--all", "--check", "--json", "--target", app], { bin: v2.bin })).stdout) as { errors: { path: string }[] };
    expect(check.errors.map((e) => e.path)).toEqual(["src/services/integrations/hubspot/utils.ts"]);
    const setup = path.join(app, "src/services/integrations/hubspot/utils.ts");
    writeFileSync(setup, `// mine too\n${readFileSync(setup, "utf8")}`);
    const blocked = JSON.parse((await run(["regenerate", "--all", "--json", "--target", app], { bin: v2.bin })).stdout) as { nextSteps: string[] };
    expect(blocked.nextSteps[0]).toContain(`nexus-integrate regenerate --all --target ${app} --force`);
  });

  it("a name one typo from a preset in another case, or with describing flags, is still the preset; names further off are not refused", async () => {
    const app = copyExampleApp();
    const cased = await run(["new", "HubSpot", "--name", "HubSpot CRM", "--yes", "--dry-run", "--json", "--target", app]);
    expect(JSON.parse(cased.stdout).integration.id).toBe("hubspot");
    // (A family's first word, such as google, names its presets instead: interactive.test.ts.)
    const far = await run(["new", "acme-widgets", "--yes", "--target", app]);
    expect(far.exitCode).toBe(2);
    expect(far.stderr).not.toContain("did you mean");
    expect(far.stderr).toContain("missing required values");
  });

  it("one reason per line for several missing regions; doctor does not count a commented-out route", async () => {
    const playbook = copyPlaybookApp();
    await run(["init", "--yes", "--target", playbook]);
    writeFileSync(path.join(playbook, "src/App.tsx"), UNWIRABLE_ROUTER);
    const report = JSON.parse((await run(["new", "google-analytics", "--yes", "--json", "--target", playbook])).stdout) as { files: { path: string; reason?: string }[] };
    expect(report.files.find((f) => f.path === "src/App.tsx")?.reason).toBe(
      "src/App.tsx was left as it is: it has no <Routes> element, no createRoutesFromElements(<Route>…) and no createBrowserRouter([...]) call; paste the routes below, or set paths.router to the file with the app's routes",
    );
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const router = path.join(app, "src/App.tsx");
    writeFileSync(router, readFileSync(router, "utf8").replace(/(<Route path="\/integrations\/hubspot\/callback"[^>]*\/>)/, "{/* $1 */}"));
    const doctor = await run(["doctor", "--json", "--target", app]);
    expect(JSON.parse(doctor.stdout).findings).toContainEqual(expect.objectContaining({ check: "callback-route", ok: false }));
  });

  it("-q still shows a file kept instead of deleted; -q and --yes are accepted everywhere; -V only as the command; --timeout needs --discover", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const setup = path.join(app, "src/components/integrations/HubSpotSetup.tsx");
    writeFileSync(setup, `${readFileSync(setup, "utf8")}// mine\n`);
    const removed = await run(["remove", "hubspot", "-q", "--yes", "--target", app]);
    expect(removed.stdout).toMatch(/keep\s+src\/components\/integrations\/HubSpotSetup\.tsx/);
    for (const args of [["list", "-q", "--yes"], ["schema", "-q"], ["doctor", "--yes", "--target", app], ["templates", "check", "-q", "--target", app]]) {
      const result = await run(args);
      expect(result.stderr, args.join(" ")).not.toContain("unknown option");
    }
    const named = await run(["new", "acme", "--name", "-V", "--yes", "--target", app]);
    expect(named.stdout).not.toMatch(/^\d+\.\d+\.\d+$/m);
    const timeout = await run(["new", "hubspot", "--timeout", "5", "--yes", "--target", app]);
    expect(timeout.exitCode).toBe(2);
    expect(timeout.stderr).toContain("--timeout needs --discover");
  });

  it("a folder inside the app the user cannot write: the file and its folder are named, everything rolled back", async () => {
    if (process.getuid?.() !== 0) return; // needs two users: root sets it up, nobody runs it
    const app = copyExampleApp();
    const nobody = Number((await execa("id", ["-u", "nobody"])).stdout);
    await execa("chmod", ["755", path.dirname(app)]);
    await execa("chown", ["-R", String(nobody), app]);
    await execa("chown", ["root", path.join(app, "src")]);
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--yes", "--json", "--target", app], { uid: nobody });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { error: { code: string; message: string }; errors: { path: string }[] };
    expect(report.error.code).toBe("operation");
    expect(report.error.message).toMatch(new RegExp(`cannot write ${app}/src/[^ ]+: permission denied \\(EACCES\\): run as the user who owns ${app}/src`));
    expect(report.error.message).toContain("every change was rolled back");
    expect(snapshotTree(app)).toEqual(before);
  });
});

/** A router the code-mod does not understand (routes from an object it cannot see): the routes come as a snippet. */
const UNWIRABLE_ROUTER = 'import { useRoutes } from "react-router-dom";\nimport { routes } from "./routes";\n\nexport default function App() {\n  return useRoutes(routes);\n}\n';

describe("reports and errors", () => {
  it("routes handed over as a snippet are not said to be in App.tsx; no reason is repeated on a line", async () => {
    const app = copyPlaybookApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    writeFileSync(path.join(app, "src/App.tsx"), UNWIRABLE_ROUTER);
    const result = await run(["new", "google-analytics", "--yes", "--json", "--target", app]);
    const report = JSON.parse(result.stdout) as { nextSteps: string[]; files: { path: string; reason?: string }[] };
    expect(report.nextSteps.join("\n")).toContain("Paste the route snippet shown above into src/App.tsx");
    expect(report.nextSteps.join("\n")).not.toMatch(/Routes .* are in src\/App\.tsx/);
    for (const file of report.files) {
      const parts = (file.reason ?? "").split("; ");
      expect(new Set(parts).size, `${file.path}: ${file.reason}`).toBe(parts.length);
    }
    const example = copyExampleApp();
    const marked = JSON.parse((await run(["new", "hubspot", "--yes", "--json", "--target", example])).stdout) as { nextSteps: string[] };
    expect(marked.nextSteps).toContain("Routes /integrations/hubspot and /integrations/hubspot/callback are in src/App.tsx.");
  });

  it("doctor checks the callback route is wired", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const ok = JSON.parse((await run(["doctor", "--json", "--target", app])).stdout) as { findings: { check: string; ok: boolean }[] };
    expect(ok.findings).toContainEqual(expect.objectContaining({ check: "callback-route", ok: true }));
    const router = path.join(app, "src/App.tsx");
    writeFileSync(router, readFileSync(router, "utf8").replace(/.*HubSpotCallbackPage.*\n/g, ""));
    const missing = await run(["doctor", "--json", "--target", app]);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout).findings).toContainEqual(
      expect.objectContaining({
        check: "callback-route",
        ok: false,
        message: "src/App.tsx has no route for /integrations/hubspot/callback (nor renders HubSpotCallbackPage): the provider redirects there after consent",
      }),
    );
  });

  it("a target the user cannot write: exit 1 naming the path and the permission, never an internal error", async () => {
    const app = copyExampleApp();
    chmodSync(path.dirname(app), 0o755);
    // Root writes anywhere: as root the run is made as `nobody`; otherwise the folder is made read-only.
    const root = process.getuid?.() === 0;
    if (!root) chmodSync(app, 0o555);
    const uid = root ? { uid: Number((await execa("id", ["-u", "nobody"])).stdout) } : {};
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--yes", "--json", "--target", app], uid);
    if (!root) chmodSync(app, 0o755);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; error: { code: string; message: string }; errors: { path: string }[] };
    expect(report.error.code).toBe("operation");
    expect(report.error.message).toContain(`cannot write ${path.join(app, ".nexus-integrate")}: permission denied (EACCES)`);
    expect(report.errors[0]!.path).toBe(path.join(app, ".nexus-integrate"));
    expect(snapshotTree(app)).toEqual(before);
  });

  it("a tool upgrade that changes no output changes one lockfile line (the version), not every source", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const before = readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8");
    const v2 = makeToolCopy();
    const pkg = path.join(v2.root, "package.json");
    writeFileSync(pkg, readFileSync(pkg, "utf8").replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
    expect((await run(["regenerate", "--all", "--check", "--target", app], { bin: v2.bin })).exitCode).toBe(0);
    expect((await run(["regenerate", "--all", "--target", app], { bin: v2.bin })).exitCode).toBe(0);
    const after = readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8");
    const changed = after.split("\n").filter((line, i) => line !== before.split("\n")[i]);
    expect(changed).toEqual(['    "version": "9.9.9"']);
  });

  it("after a conflict, the next step is the --force command and what it does, not the command that just failed", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const setup = path.join(app, "src/components/integrations/nexus-integrate/IntegrationSetup.tsx");
    writeFileSync(setup, readFileSync(setup, "utf8").replace(/\n(\s*)Cancel\n/, "\n$1Maybe later\n"));
    const v2 = makeToolCopy();
    v2.editTemplate("basic/shared/src/components/integrations/nexus-integrate/IntegrationSetup.tsx.hbs", (t) => t.replace(/\n(\s*)Cancel\n/, "\n$1Not now\n"));
    const result = await run(["regenerate", "--all", "--json", "--target", app], { bin: v2.bin });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { nextSteps: string[] };
    expect(report.nextSteps[0]).toContain(`nexus-integrate regenerate --all --target ${app} --force writes the merge into src/components/integrations/nexus-integrate/IntegrationSetup.tsx, with git-style markers`);
  });
});

describe("remove, then new again", () => {
  it("a file the tool created and remove emptied is deleted, so the next new writes it again (no 'paste the block' for it); the app's own env example keeps its lines", async () => {
    const app = copyExampleApp();
    const appExample = readFileSync(path.join(app, ".env.example"), "utf8");
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const functionsExample = path.join(app, "supabase/functions/.env.example");
    expect(readFileSync(functionsExample, "utf8")).toContain("HUBSPOT_CLIENT_SECRET=");
    expect((await run(["remove", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    expect(existsSync(functionsExample)).toBe(false);
    expect(readFileSync(path.join(app, ".env.example"), "utf8")).toBe(appExample);
    const again = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("paste the block");
    expect(again.stdout).not.toContain("has no nexus-integrate markers");
    expect(readFileSync(functionsExample, "utf8")).toContain("# >>> nexus-integrate: hubspot >>>");
  });
});
