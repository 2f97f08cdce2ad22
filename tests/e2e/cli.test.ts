import { execa } from "execa";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, mtimes, snapshotTree, tempDir } from "../helpers/fixtures.js";

const EPOCH = "1764000000"; // 2025-11-24T16:00:00Z

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return execa("node", [BIN, ...args], {
    reject: false,
    env: { SOURCE_DATE_EPOCH: EPOCH, NO_COLOR: "1", ...options.env },
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" }),
  });
}

const HUBSPOT_FILES = [
  "src/components/integrations/HubSpotSetup.tsx",
  "src/pages/integrations/HubSpotCallbackPage.tsx",
  "src/services/integrations/hubspot/utils.ts",
  "supabase/functions/hubspot-exchange-tokens/index.ts",
  "supabase/functions/hubspot-sync/index.ts",
  "supabase/functions/_shared/nexus-integrate/oauth.ts",
  "supabase/functions/_shared/nexus-integrate/crypto.ts",
  "supabase/functions/_shared/nexus-integrate/cors.ts",
  "supabase/functions/_shared/nexus-integrate/auth.ts",
  "supabase/functions/_shared/nexus-integrate/store.ts",
  "supabase/migrations/20251124160000_nexus_integrate_001_schema.sql",
  "supabase/migrations/20251124160001_nexus_integrate_002_legacy_tokens.sql",
  "supabase/migrations/20251124160002_nexus_integrate_003_sync_jobs.sql",
  "supabase/migrations/20251124160003_nexus_integrate_004_health.sql",
  "supabase/migrations/20251124160004_nexus_integrate_005_key_ring.sql",
  "supabase/migrations/20251124160005_nexus_integrate_006_disconnect_through_function.sql",
  "supabase/migrations/20251124160006_nexus_integrate_007_function_roles.sql",
  "supabase/migrations/20251124160007_nexus_integrate_008_revocation_events.sql",
  "supabase/migrations/20251124160008_nexus_integrate_009_job_calls_take_role.sql",
  "supabase/migrations/20251124160009_hubspot_001_integration.sql",
  "supabase/migrations/20251124160010_hubspot_003_sync_schedule.sql",
  "supabase/migrations/20251124160011_hubspot_004_function_role.sql",
  "docs/integrations/hubspot.md",
  "nexus-integrate.lock.json",
];

function allText(dir: string): string {
  return Object.keys(snapshotTree(dir))
    .map((file) => readFileSync(path.join(dir, file), "utf8"))
    .join("\n");
}

describe("nexus-integrate new (built binary)", () => {
  it("generates every file of the basic set, then a second run changes no byte", async () => {
    const app = copyExampleApp();
    const first = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(first.exitCode, first.stderr).toBe(0);
    const tree = snapshotTree(app);
    for (const file of HUBSPOT_FILES) expect(tree, file).toHaveProperty([file]);
    expect(first.stdout).toContain("Next steps:");

    const times = mtimes(app, Object.keys(tree));
    const second = await run(["new", "hubspot", "--yes", "--target", app, "--json"]);
    expect(second.exitCode, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as { ok: boolean; files: { action: string }[] };
    expect(report.ok).toBe(true);
    expect(new Set(report.files.map((f) => f.action))).toEqual(new Set(["unchanged"]));
    expect(snapshotTree(app)).toEqual(tree);
    expect(mtimes(app, Object.keys(tree))).toEqual(times);
  });

  it("is byte-identical across runs on separate copies", async () => {
    const [a, b] = [copyExampleApp(), copyExampleApp()];
    await run(["new", "google-analytics", "--yes", "--target", a]);
    await run(["new", "google-analytics", "--yes", "--target", b]);
    expect(snapshotTree(a)).toEqual(snapshotTree(b));
  });

  it("never writes a secret into a VITE_ variable", async () => {
    const app = copyExampleApp();
    for (const preset of ["hubspot", "microsoft", "google-workspace"]) {
      expect((await run(["new", preset, "--yes", "--target", app])).exitCode).toBe(0);
    }
    expect(allText(app)).not.toMatch(/VITE_.*SECRET/);
  });

  it("adds a second integration next to the first, sharing the base tables", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const second = await run(["new", "microsoft", "--yes", "--target", app, "--json"]);
    expect(second.exitCode, second.stdout).toBe(0);
    const files = (JSON.parse(second.stdout) as { files: { path: string; action: string }[] }).files;
    expect(files.find((f) => f.path.endsWith("_shared/nexus-integrate/oauth.ts"))?.action).toBe("unchanged");
    const migrations = readdirSync(path.join(app, "supabase/migrations")).sort();
    expect(migrations).toEqual([
      "20250101000000_profiles.sql",
      "20251124160000_nexus_integrate_001_schema.sql",
      "20251124160001_nexus_integrate_002_legacy_tokens.sql",
      "20251124160002_nexus_integrate_003_sync_jobs.sql",
      "20251124160003_nexus_integrate_004_health.sql",
      "20251124160004_nexus_integrate_005_key_ring.sql",
      "20251124160005_nexus_integrate_006_disconnect_through_function.sql",
      "20251124160006_nexus_integrate_007_function_roles.sql",
      "20251124160007_nexus_integrate_008_revocation_events.sql",
      "20251124160008_nexus_integrate_009_job_calls_take_role.sql",
      "20251124160009_hubspot_001_integration.sql",
      "20251124160010_hubspot_003_sync_schedule.sql",
      "20251124160011_hubspot_004_function_role.sql",
      "20251124160012_microsoft_001_integration.sql",
      "20251124160013_microsoft_003_sync_schedule.sql",
      "20251124160014_microsoft_004_function_role.sql",
    ]);
    const lock = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8"));
    expect(Object.keys(lock.integrations)).toEqual(["hubspot", "microsoft"]);
  });
});

describe("bad input: exit 2, a field-level message, nothing changed", () => {
  const cases: [string, (app: string, dir: string) => string[], RegExp][] = [
    ["a path-like id", (app) => ["new", "../evil", "--yes", "--target", app], /id: "\.\.\/evil" must be a slug/],
    [
      "a non-https token URL",
      (app) => ["new", "hubspot", "--token-url", "http://api.hubapi.com/oauth/v1/token", "--yes", "--target", app],
      /tokenUrl: "http:\/\/api\.hubapi\.com\/oauth\/v1\/token" must use https/,
    ],
    [
      "a scope with a space (spec file)",
      (app, dir) => {
        const spec = path.join(dir, "acme.json");
        writeFileSync(
          spec,
          JSON.stringify({
            id: "acme",
            displayName: "Acme",
            authorizationUrl: "https://acme.test/authorize",
            tokenUrl: "https://acme.test/token",
            apiBaseUrl: "https://api.acme.test",
            scopes: ["read", "crm read"],
            sync: { path: "/items" },
          }),
        );
        return ["new", "--spec", spec, "--yes", "--target", app];
      },
      /scopes\[1\]: "crm read" contains a space/,
    ],
    ["a scope with a quote", (app) => ["new", "hubspot", "--scopes", 'oauth crm"read', "--yes", "--target", app], /scopes\[1\]: "crm"read" contains a double quote/],
    ["missing values", (app) => ["new", "acme", "--yes", "--target", app], /authorizationUrl: is required \(use --auth-url/],
    ["an unknown option", (app) => ["new", "hubspot", "--bogus", "--target", app], /unknown option '--bogus'/],
    ["a target that is no app", (_app, dir) => ["new", "hubspot", "--yes", "--target", dir], /not inside a Vite \+ React \+ Supabase app\n.*--target: no folder at or above .* has both a package\.json and a supabase\/ folder/],
  ];

  it.each(cases)("%s", async (_name, args, message) => {
    const app = copyExampleApp();
    const dir = tempDir();
    const argv = args(app, dir);
    const before = snapshotTree(app);
    const result = await run(argv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotTree(app)).toEqual(before);
  });

  it("--json reports field errors as one JSON object", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "../evil", "--yes", "--json", "--target", app]);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ path: "id" })]) });
  });

  it("does not hang without a TTY", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "acme", "--target", app], { input: "\n" });
    expect(result.exitCode).toBe(2);
  });
});

describe("hand edits", () => {
  it("a hand-edited file stops the run (exit 1, nothing written); --force overwrites it", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const setup = path.join(app, "src/components/integrations/HubSpotSetup.tsx");
    const edited = `${readFileSync(setup, "utf8")}\n// my change\n`;
    writeFileSync(setup, edited);
    const before = snapshotTree(app);

    const blocked = await run(["new", "hubspot", "--yes", "--target", app, "--name", "HubSpot CRM"]);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain("src/components/integrations/HubSpotSetup.tsx");
    expect(blocked.stderr).toContain("--force");
    expect(snapshotTree(app)).toEqual(before);
    expect(readFileSync(setup, "utf8")).toBe(edited);

    const forced = await run(["new", "hubspot", "--yes", "--target", app, "--name", "HubSpot CRM", "--force"]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/HubSpotSetup\.tsx \(forced/);
    expect(readFileSync(setup, "utf8")).not.toContain("// my change");
    expect(readFileSync(path.join(app, "src/services/integrations/hubspot/utils.ts"), "utf8")).toContain('"HubSpot CRM"');
  });

  it("--dry-run lists the files and actions in at most 60 lines, --diff prints the bodies (every file's, or one path's), and nothing is written", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await run(["new", "hubspot", "--yes", "--dry-run", "--target", app]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("dry run");
    expect(result.stdout).toMatch(/create\s+src\/components\/integrations\/HubSpotSetup\.tsx/);
    expect(result.stdout).not.toContain("+export function HubSpotSetup");
    expect(result.stdout).toContain("(--diff shows every change; --diff <path> one file's)");
    expect(result.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(60);
    const all = await run(["new", "hubspot", "--yes", "--dry-run", "--diff", "--target", app]);
    expect(all.stdout).toContain("+export function HubSpotSetup");
    expect(all.stdout).toMatch(/\+VITE_HUBSPOT_CLIENT_ID=/);
    const one = await run(["new", "hubspot", "--yes", "--dry-run", "--diff", ".env.example", "--target", app]);
    expect(one.stdout).toMatch(/\+VITE_HUBSPOT_CLIENT_ID=/);
    expect(one.stdout).not.toContain("+export function HubSpotSetup");
    expect(snapshotTree(app)).toEqual(before);
  });
});

describe("the program", () => {
  it("init on the example app, whose config leaves keys to their defaults, exits 0 and writes nothing; a config that differs is a conflict until --force", async () => {
    const app = copyExampleApp();
    const config = readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8");
    const same = await run(["init", "--target", app]);
    expect(same.exitCode, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain("nexus-integrate.config.json already has these settings");
    expect(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")).toBe(config);
    writeFileSync(path.join(app, "nexus-integrate.config.json"), config.replace('"services": "@/services/integrations"', '"services": "@/services"'));
    const differs = await run(["init", "--target", app]);
    expect(differs.exitCode).toBe(1);
    expect(differs.stderr).toContain("exists with other settings");
    expect((await run(["init", "--force", "--target", app])).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")).imports.services).toBe("@/services/integrations");
  });

  it("a second new lists no unchanged file (a count in the summary); --verbose lists them", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const again = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(again.stdout).not.toMatch(/^\s+unchanged\s/m);
    expect(again.stdout).toMatch(/^\d+ files: \d+ unchanged$/m);
    const verbose = await run(["new", "hubspot", "--yes", "--verbose", "--target", app]);
    expect(verbose.stdout).toMatch(/^\s+unchanged\s+src\/components\/integrations\/HubSpotSetup\.tsx$/m);
  });

  it("every command takes --target (and --cwd), --json and --yes, as the README says: schema and templates too", async () => {
    const app = copyExampleApp();
    for (const command of [["schema"], ["list"], ["doctor"], ["templates", "check"], ["regenerate", "--all", "--check"]]) {
      for (const flag of ["--target", "--cwd"]) {
        const result = await run([...command, flag, app, "--json", "--yes"]);
        const envelope = JSON.parse(result.stdout) as { command: string; errors: { path: string; message: string }[] };
        expect(envelope.errors.filter((e) => /unknown option/.test(e.message)), `${command.join(" ")} ${flag}`).toEqual([]);
        expect(envelope.command).toMatch(new RegExp(`^${command[0]}`));
      }
    }
    for (const command of ["new", "adopt", "regenerate", "remove", "init", "doctor", "list", "schema", "templates eject", "templates check"]) {
      const help = (await run([...command.split(" "), "--help"])).stdout;
      for (const flag of ["--target", "--json", "--yes"]) expect(help, `${command} --help names ${flag}`).toContain(flag);
      // One default per option: the --target line does not say it twice.
      const target = help.slice(help.indexOf("--target"), help.indexOf("\n  -", help.indexOf("--target") + 1));
      expect(target.match(/default/g)?.length ?? 0, `${command} --target`).toBeLessThanOrEqual(1);
    }
  });

  it("prints help with examples and its version", async () => {
    const help = await run(["new", "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Examples:");
    const version = await run(["--version"]);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});
