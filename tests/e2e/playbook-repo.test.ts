import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { denoCheckFunctions } from "../helpers/app-checks.js";
import { BIN, copyPlaybookApp, PLAYBOOK_APP, snapshotTree } from "../helpers/fixtures.js";
import { ENTER, ptySession } from "../helpers/pty.js";

/**
 * The team's real repo, not our example app: tests/fixtures/playbook-app was built by hand from the playbook
 * (hand-written HubSpot and Microsoft integrations at the playbook's paths, its own _shared/cors.ts exporting a
 * corsHeaders object, an App.tsx without markers, react-router-dom, the Supabase client at
 * @/integrations/supabase/client, an auth context of its own, tsconfig split into tsconfig.app.json, and the
 * playbook's VITE_…_CLIENT_SECRET in .env.local).
 */
function run(args: string[], options: { cwd?: string } = {}) {
  return execa("node", [BIN, ...args], {
    reject: false,
    stdin: "ignore",
    env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

const HAND_WRITTEN_HUBSPOT = [
  "src/components/integrations/HubSpotSetup.tsx",
  "src/pages/integrations/HubSpotCallbackPage.tsx",
  "src/services/integrations/hubspot/utils.ts",
  "supabase/functions/hubspot-exchange-tokens/index.ts",
  "supabase/functions/hubspot-sync/index.ts",
];
const OWN_FUNCTIONS = ["hubspot-exchange-tokens", "hubspot-sync", "microsoft-exchange-tokens", "microsoft-sync"].map((fn) => `${fn}/index.ts`);

describe("a Nexus repo built by hand from the playbook", () => {
  it("without a config, new and adopt use what init detects, in memory, and say so: both exit 0, no config is written", async () => {
    const app = copyPlaybookApp();
    // Two clients: the ranked one is used, the other named.
    writeFileSync(
      path.join(app, "src/integrations/supabase/admin.ts"),
      'import { createClient } from "@supabase/supabase-js";\nexport const supabase = createClient("http://127.0.0.1:54321", "sb_publishable_x");\n',
    );
    const created = await run(["new", "google-analytics", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const notes = (JSON.parse(created.stdout) as { notes: string[] }).notes;
    expect(notes).toContainEqual(
      expect.stringContaining(
        "No nexus-integrate.config.json: used what `nexus-integrate init` detects: imports.supabase = @/integrations/supabase/client (also found: @/integrations/supabase/admin); imports.card = @/components/ui/card; imports.router = react-router-dom; paths.router = src/App.tsx",
      ),
    );
    expect(existsSync(path.join(app, "nexus-integrate.config.json"))).toBe(false);
    const callback = readFileSync(path.join(app, "src/components/integrations/nexus-integrate/IntegrationCallback.tsx"), "utf8");
    expect(callback).toContain('from "react-router-dom"');
    const adopted = await run(["adopt", "hubspot", "--yes", "--json", "--target", app]);
    expect(adopted.exitCode, adopted.stderr).toBe(0);
    expect((JSON.parse(adopted.stdout) as { notes: string[] }).notes).toContainEqual(expect.stringContaining("No nexus-integrate.config.json: used what"));
    const doctor = JSON.parse((await run(["doctor", "--json", "--target", app])).stdout) as { findings: { check: string; ok: boolean; fix?: string }[] };
    expect(doctor.findings.find((f) => f.check === "config")).toMatchObject({ ok: true, fix: "nexus-integrate init (writes nexus-integrate.config.json)" });
  });

  it("without a config, an app whose modules cannot be imported is refused naming init as the fix, nothing written", async () => {
    const app = copyPlaybookApp();
    for (const file of ["tsconfig.json", "tsconfig.app.json"]) {
      const text = readFileSync(path.join(app, file), "utf8").replace(/,?\s*"baseUrl": "\."/, "").replace(/,?\s*"paths": \{[^}]*\}/, "");
      writeFileSync(path.join(app, file), text);
    }
    const before = snapshotTree(app);
    const result = await run(["new", "google-analytics", "--yes", "--target", app]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/imports\.supabase: "@\/lib\/supabase" does not resolve/);
    expect(result.stderr).toContain("nexus-integrate init");
    expect(snapshotTree(app)).toEqual(before);
  });

  it("init --yes, then new google-analytics: exit 0 without --force; of the app's files only App.tsx changes (its routes, by code-mod); the app type-checks and builds with nothing pasted; every function passes deno check", async () => {
    const app = copyPlaybookApp();
    const original = snapshotTree(app);
    const init = await run(["init", "--yes"], { cwd: path.join(app, "src", "components") });
    expect(init.exitCode, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")) as { imports: Record<string, string> };
    expect(config.imports).toMatchObject({ supabase: "@/integrations/supabase/client", card: "@/components/ui/card", router: "react-router-dom" });
    expect(init.stdout).toContain("auth hook found in src/contexts/AuthContext.tsx");

    const created = await run(["new", "google-analytics", "--yes", "--json"], { cwd: path.join(app, "src") });
    expect(created.exitCode, created.stdout + created.stderr).toBe(0);
    const report = JSON.parse(created.stdout) as { files: { path: string; action: string; snippets?: string[] }[] };
    const after = snapshotTree(app);
    for (const [file, hash] of Object.entries(original)) if (file !== "src/App.tsx") expect(after[file], `${file} must be byte-identical`).toBe(hash);
    const router = readFileSync(path.join(app, "src/App.tsx"), "utf8");
    const originalRouter = readFileSync(path.join(PLAYBOOK_APP, "src/App.tsx"), "utf8");
    // Exactly two imports and two routes more; every other line as it was.
    const added = router.split("\n").filter((line) => !originalRouter.split("\n").includes(line));
    expect(added).toEqual([
      'import { GoogleAnalyticsSetup } from "@/components/integrations/GoogleAnalyticsSetup";',
      'import { GoogleAnalyticsCallbackPage } from "@/pages/integrations/GoogleAnalyticsCallbackPage";',
      '      <Route path="/integrations/google-analytics" element={<GoogleAnalyticsSetup />} />',
      '      <Route path="/integrations/google-analytics/callback" element={<GoogleAnalyticsCallbackPage />} />',
    ]);
    expect(originalRouter.split("\n").filter((line) => !router.split("\n").includes(line))).toEqual([]);
    // The app's own CORS helper stays; ours lives in our own folder.
    expect(readFileSync(path.join(app, "supabase/functions/_shared/cors.ts"), "utf8")).toContain("export const corsHeaders = {");
    expect(after).toHaveProperty(["supabase/functions/_shared/nexus-integrate/cors.ts"]);
    // Files without markers other than the router get snippets to paste, never edits.
    for (const file of [".env.example", "supabase/config.toml"]) {
      expect(report.files.find((f) => f.path === file)?.action, file).toBe("keep");
    }
    expect(report.files.find((f) => f.path === "supabase/config.toml")?.snippets?.[0]).toContain("verify_jwt = false");

    linkAppDeps(app, PLAYBOOK_APP);
    const tsc = await execa("node", [path.join(app, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.app.json", "--noEmit"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.exitCode).toBe(0);
    const vite = await execa("node", [path.join(app, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: app, reject: false });
    expect(vite.exitCode, vite.stderr).toBe(0);

    const generated = ["google-analytics-exchange-tokens/index.ts", "google-analytics-sync/index.ts"];
    expect(await denoCheckFunctions(app, [...OWN_FUNCTIONS, ...generated])).toEqual([]);

    const check = await run(["regenerate", "--all", "--check"], { cwd: app });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  }, 300_000);

  it("new hubspot over the hand-written HubSpot: exit 1 naming its five files and the non-destructive ways; nothing written, no trace", async () => {
    const app = copyPlaybookApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("a hand-written HubSpot integration already exists at the playbook's paths");
    for (const file of HAND_WRITTEN_HUBSPOT) expect(result.stderr).toContain(file);
    expect(result.stderr).toContain("nexus-integrate new hubspot-v2 --preset hubspot --pascal-name HubSpotV2");
    expect(result.stderr).toMatch(/"paths".*nexus-integrate\.config\.json/);
    expect(result.stderr.indexOf("hubspot-v2")).toBeLessThan(result.stderr.indexOf("--force"));
    expect(snapshotTree(app)).toEqual(before); // not even an empty .nexus-integrate/

    const beside = await run(["new", "hubspot-v2", "--preset", "hubspot", "--pascal-name", "HubSpotV2", "--yes", "--target", app]);
    expect(beside.exitCode, beside.stderr).toBe(0);
    for (const file of HAND_WRITTEN_HUBSPOT) expect(readFileSync(path.join(app, file), "utf8")).toBe(readFileSync(path.join(PLAYBOOK_APP, file), "utf8"));
  });

  it("doctor works with no generated integration: flags the leaked VITE_ secrets and recognises the hand-written integrations", async () => {
    const app = copyPlaybookApp();
    const result = await run(["doctor", "--json", "--target", app]);
    expect(result.exitCode).toBe(1);
    const doctor = JSON.parse(result.stdout) as { findings: { check: string; ok: boolean; message: string; integration: string | null }[] };
    const leaks = doctor.findings.filter((f) => f.check === "no-secret-in-vite");
    expect(leaks.map((f) => f.message)).toEqual([
      expect.stringContaining(".env.local sets VITE_HUBSPOT_CLIENT_SECRET"),
      expect.stringContaining(".env.local sets VITE_MICROSOFT_CLIENT_SECRET"),
    ]);
    expect(doctor.findings.filter((f) => f.check === "hand-written").map((f) => f.integration)).toEqual(["hubspot", "microsoft"]);
    const empty = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(empty.exitCode).toBe(0);
  });

  it("inside a monorepo: from the app's src/components commands reach the app root; at the parent they are refused unless --target names the app", async () => {
    const app = copyPlaybookApp({ inMonorepo: true });
    const parent = path.dirname(path.dirname(app));
    writeFileSync(path.join(parent, "package.json"), JSON.stringify({ name: "monorepo", private: true, workspaces: ["apps/*"] }));
    const fromSub = await run(["doctor", "--json"], { cwd: path.join(app, "src", "components") });
    expect((JSON.parse(fromSub.stdout) as { target: string }).target).toBe(app);

    const before = snapshotTree(parent);
    const atParent = await run(["new", "google-analytics", "--yes"], { cwd: parent });
    expect(atParent.exitCode).toBe(2);
    expect(atParent.stderr).toMatch(/no folder at or above the working folder has both a package\.json and a supabase\/ folder; apps found below it: apps\/nexus/);
    expect(snapshotTree(parent)).toEqual(before);

    expect((await run(["init", "--yes", "--target", "apps/nexus"], { cwd: parent })).exitCode).toBe(0);
    const named = await run(["new", "google-analytics", "--yes", "--target", "apps/nexus"], { cwd: parent });
    expect(named.exitCode, named.stderr).toBe(0);
  });

  it("without a config, a terminal run asks where detection is ambiguous (two Supabase clients) and uses the choice; without a terminal the best-ranked is used and the note names init", async () => {
    const app = copyPlaybookApp();
    writeFileSync(
      path.join(app, "src/integrations/supabase/admin.ts"),
      'import { createClient } from "@supabase/supabase-js";\nexport const supabase = createClient("http://127.0.0.1:54321", "sb_publishable_x");\n',
    );
    const session = await ptySession(["new", "google-analytics"], [["imports\\.supabase \\(", `\u001b[B${ENTER}`], ["Write these files\\?", ENTER]], { cwd: app });
    expect(session.exitCode, session.output).toBe(0);
    expect(session.output).toContain("imports.supabase = @/integrations/supabase/admin (you chose) (also found: @/integrations/supabase/client)");
    expect(readFileSync(path.join(app, "src/services/integrations/nexus-integrate/client.ts"), "utf8")).toContain('from "@/integrations/supabase/admin";');
    expect(existsSync(path.join(app, "nexus-integrate.config.json"))).toBe(false);

    const other = copyPlaybookApp();
    writeFileSync(path.join(other, "src/integrations/supabase/admin.ts"), readFileSync(path.join(app, "src/integrations/supabase/admin.ts"), "utf8"));
    const piped = await run(["new", "google-analytics", "--yes"], { cwd: other });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toContain("imports.supabase = @/integrations/supabase/client (also found: @/integrations/supabase/admin)");
    expect(piped.stdout).toContain("Run `nexus-integrate init` to keep these settings in a config (and to choose where several were found).");
  }, 120_000);

  it("init in a terminal asks only what it cannot tell (two Supabase clients), confirms, and writes a config whose imports resolve", async () => {
    const app = copyPlaybookApp();
    writeFileSync(
      path.join(app, "src/integrations/supabase/admin.ts"),
      'import { createClient } from "@supabase/supabase-js";\nexport const supabase = createClient("http://127.0.0.1:54321", "sb_publishable_x");\n',
    );
    const result = await ptySession(
      ["init"],
      [
        ["imports\\.supabase", ENTER],
        // The app's name, detected from index.html's <title>: Enter keeps it.
        ["appName\\) \\(Nexus\\)", ENTER],
        // No admin convention in the app: Supabase's common one is offered, Enter keeps it.
        ["admin\\.claim\\) \\(app_metadata\\.role\\)", ENTER],
        ["admin\\.equals\\) \\(admin\\)", ENTER],
        ["Write nexus-integrate\\.config\\.json\\?", ENTER],
      ],
      { cwd: app },
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toMatch(/imports\.card.*\?/); // one candidate: not asked
    // What init found is shown before it asks to write.
    const question = result.output.lastIndexOf("Write nexus-integrate.config.json?");
    expect(result.output.indexOf("detected imports.card = @/components/ui/card")).toBeGreaterThan(-1);
    expect(result.output.indexOf("detected imports.card = @/components/ui/card")).toBeLessThan(question);
    const config = JSON.parse(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")) as { imports: Record<string, string>; appName: string };
    expect(["@/integrations/supabase/admin", "@/integrations/supabase/client"]).toContain(config.imports.supabase);
    expect(config.appName).toBe("Nexus");
    expect(config).not.toHaveProperty("admin"); // the default is not written
    const created = await run(["new", "google-analytics", "--yes"], { cwd: app });
    expect(created.exitCode, created.stderr).toBe(0);
    linkAppDeps(app, PLAYBOOK_APP);
    const tsc = await execa("node", [path.join(app, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.app.json", "--noEmit"], { cwd: app, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
  }, 120_000);

  it("init without a paths alias names the real cause (the client is found but cannot be imported), in a terminal too; a typed value is checked, not taken as detected", async () => {
    const app = copyPlaybookApp();
    for (const file of ["tsconfig.json", "tsconfig.app.json"]) {
      const text = readFileSync(path.join(app, file), "utf8").replace(/,?\s*"baseUrl": "\."/, "").replace(/,?\s*"paths": \{[^}]*\}/, "");
      writeFileSync(path.join(app, file), text);
    }
    const before = snapshotTree(app);
    const result = await run(["init", "--yes", "--json", "--target", app]);
    expect(result.exitCode).toBe(2);
    const issues = (JSON.parse(result.stdout) as { errors: { path: string; message: string }[] }).errors;
    expect(issues.find((issue) => issue.path === "imports.supabase")?.message).toBe(
      'src/integrations/supabase/client.ts creates the Supabase client, but the app\'s tsconfig has no "paths" alias to import it by: add "@/*": ["./src/*"] under compilerOptions.paths (and the same alias in vite.config\'s resolve.alias), then run init again',
    );
    expect(snapshotTree(app)).toEqual(before);

    // In a terminal too: no question can fix it, so none is asked.
    const terminal = await ptySession(["init"], [], { cwd: app });
    expect(terminal.exitCode, terminal.output).toBe(2);
    expect(terminal.output).toContain("src/integrations/supabase/client.ts creates the Supabase client, but the app's tsconfig has no \"paths\" alias");
    expect(terminal.output).not.toContain("?");
    expect(snapshotTree(app)).toEqual(before);
  }, 120_000);

  it("init in a terminal checks a typed value the way detection does: one that does not resolve or lacks the export is asked again, and refused after three", async () => {
    const app = copyPlaybookApp();
    // The client is exported under another name: nothing is detected, so init asks.
    const client = path.join(app, "src/integrations/supabase/client.ts");
    writeFileSync(client, readFileSync(client, "utf8").replace(/export const supabase\b/, "export const db"));
    const before = snapshotTree(app);
    const session = await ptySession(
      ["init"],
      [
        ["imports\\.supabase: none found", `@/integrations/supabase/client${ENTER}`],
        ["none found \\(src/integrations/supabase/client\\.ts does", `@/nowhere${ENTER}`],
        ['none found \\("@/nowhere" does', `@/still-nowhere${ENTER}`],
      ],
      { cwd: app },
    );
    expect(session.stepsDone, session.output).toBe(3);
    expect(session.exitCode, session.output).toBe(2);
    expect(session.output).toContain('"@/still-nowhere" was not taken');
    expect(snapshotTree(app)).toEqual(before);
  }, 120_000);
});
