import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, configureLocalEnv, copyExampleApp, copyPlaybookApp } from "../helpers/fixtures.js";

/** Conventions users bring from other CLIs (shadcn, the Supabase CLI, npm). */
function run(args: string[], env: Record<string, string> = {}) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", ...env } });
}

describe("CLI conventions", () => {
  it("-V and -v both print the version", async () => {
    const version = JSON.parse((await import("node:fs")).readFileSync(path.join(BIN, "../../package.json"), "utf8")).version as string;
    for (const flag of ["-V", "-v", "--version"]) {
      const result = await run([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it("--cwd DIR and --cwd=DIR work as --target (shadcn's spelling)", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--cwd", app])).exitCode).toBe(0);
    expect(existsSync(path.join(app, "src/components/integrations/HubSpotSetup.tsx"))).toBe(true);
    expect((await run(["regenerate", "--all", "--check", `--cwd=${app}`])).exitCode).toBe(0);
  });

  it("-q prints nothing when nothing needs you; --verbose lists unchanged files, which regenerate otherwise only counts", async () => {
    const app = copyExampleApp();
    const quiet = await run(["new", "hubspot", "--yes", "-q", "--target", app]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).toBe("");
    const check = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(check.stdout).not.toMatch(/^\s+unchanged\s/m);
    expect(check.stdout).toMatch(/\d+ files: \d+ unchanged/);
    const verbose = await run(["regenerate", "--all", "--check", "--verbose", "--target", app]);
    expect(verbose.stdout).toMatch(/^\s+unchanged\s+src\/components\/integrations\/HubSpotSetup\.tsx$/m);
    configureLocalEnv(app, ["HUBSPOT"]);
    const doctor = await run(["doctor", "-q", "--target", app]);
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toBe("Everything checked looks right.");
  });

  it("-q with --dry-run keeps what needs you: blocks to paste, conflicts and errors, not the files a run would write", async () => {
    const app = copyPlaybookApp();
    expect((await run(["init", "--yes", "--target", app])).exitCode).toBe(0);
    writeFileSync(path.join(app, "src/App.tsx"), 'import { useRoutes } from "react-router-dom";\nimport { routes } from "./routes";\n\nexport default function App() {\n  return useRoutes(routes);\n}\n');
    const paste = await run(["new", "google-analytics", "--yes", "--dry-run", "-q", "--target", app]);
    expect(paste.exitCode).toBe(0);
    expect(paste.stdout).toMatch(/^\s+keep\s+src\/App\.tsx — .*paste the routes below/m);
    expect(paste.stdout).toContain('<Route path="/integrations/google-analytics/callback" element={<GoogleAnalyticsCallbackPage />} />');
    expect(paste.stdout).not.toMatch(/^\s+create\s/m);
    expect(paste.stdout).not.toContain("dry run");

    const example = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", example])).exitCode).toBe(0);
    const utils = path.join(example, "src/services/integrations/hubspot/utils.ts");
    writeFileSync(utils, `${readFileSync(utils, "utf8")}// mine\n`);
    const conflict = await run(["new", "hubspot", "--yes", "--dry-run", "-q", "--target", example]);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stdout.trim()).toBe("conflict   src/services/integrations/hubspot/utils.ts — was edited since nexus-integrate wrote it");
  });

  it("--yes is accepted by remove and regenerate (scripts pass it everywhere)", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    expect((await run(["regenerate", "--all", "--yes", "--target", app])).exitCode).toBe(0);
    expect((await run(["remove", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
  });

  it("FORCE_COLOR colours output that is not a terminal; NO_COLOR turns it off", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const forced = await execa("node", [BIN, "regenerate", "--all", "--check", "--target", app], { reject: false, env: { FORCE_COLOR: "1", NO_COLOR: "" } });
    expect(forced.stdout).toContain("\u001b[");
    const plain = await run(["regenerate", "--all", "--check", "--target", app]);
    expect(plain.stdout).not.toContain("\u001b[");
  });

  it("a reader that stops early (| head) ends the output quietly, exit 0", async () => {
    const result = await execa("sh", ["-c", `node ${JSON.stringify(BIN)} new --help | head -1`], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Usage: nexus-integrate new");
    expect(result.stderr).toBe("");
  });
});
