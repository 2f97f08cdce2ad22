import { execa } from "execa";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, copyPlaybookApp } from "../helpers/fixtures.js";

/** The redirect URI's origin is the app's own dev server: the config's appUrl, else vite.config's server.port. */
function run(args: string[]) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });
}

// Lovable's vite.config.ts: a function of the mode, the dev server on port 8080 of every interface.
const LOVABLE_VITE = `import { defineConfig } from "vite";
import react from "@vitejs/plugin-react-swc";
import path from "path";

export default defineConfig(({ mode }) => ({
  server: {
    host: "::",
    port: 8080,
  },
  plugins: [react()].filter(Boolean),
  resolve: {
    alias: { "@": path.resolve(__dirname, "./src") },
  },
}));
`;

function withoutAppUrl(app: string): void {
  const file = path.join(app, "nexus-integrate.config.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  delete config.appUrl;
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

interface Finding {
  integration: string | null;
  check: string;
  ok: boolean;
  message: string;
}

describe("the app's URL", () => {
  it("comes from vite.config's server.port where the config sets none: next steps, the docs page and doctor", async () => {
    const app = copyExampleApp();
    withoutAppUrl(app);
    writeFileSync(path.join(app, "vite.config.ts"), LOVABLE_VITE);
    const created = await run(["new", "hubspot", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const report = JSON.parse(created.stdout) as { nextSteps: string[] };
    const redirect = "http://localhost:8080/integrations/hubspot/callback";
    expect(report.nextSteps).toContainEqual(expect.stringContaining(`Register the redirect URI ${redirect} in your HubSpot app (the app's URL from vite.config.ts (server.port)`));
    expect(report.nextSteps.join("\n")).not.toContain("localhost:5173");
    const docs = readFileSync(path.join(app, "docs/integrations/hubspot.md"), "utf8");
    expect(docs).toContain(redirect);
    expect(docs).not.toContain("localhost:5173");
    const doctor = await run(["doctor", "--json", "--target", app]);
    const findings = (JSON.parse(doctor.stdout) as { findings: Finding[] }).findings;
    expect(findings.find((f) => f.check === "docs")).toMatchObject({ ok: true, message: expect.stringContaining(`${redirect} (the app's URL from vite.config.ts (server.port))`) });
    // The port changes: the docs page is stale, and regenerate follows.
    writeFileSync(path.join(app, "vite.config.ts"), LOVABLE_VITE.replace("port: 8080", "port: 3000"));
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(1);
    expect((await run(["regenerate", "--all", "--target", app])).exitCode).toBe(0);
    expect(readFileSync(path.join(app, "docs/integrations/hubspot.md"), "utf8")).toContain("http://localhost:3000/integrations/hubspot/callback");
  });

  it("is the config's appUrl when it sets one, whatever vite.config says", async () => {
    const app = copyExampleApp();
    writeFileSync(path.join(app, "vite.config.ts"), LOVABLE_VITE);
    const created = await run(["new", "hubspot", "--yes", "--json", "--target", app]);
    expect(created.exitCode, created.stderr).toBe(0);
    const steps = (JSON.parse(created.stdout) as { nextSteps: string[] }).nextSteps.join("\n");
    expect(steps).toContain("http://localhost:5173/integrations/hubspot/callback in your HubSpot app (the app's URL from nexus-integrate.config.json;");
  });

  it("is Vite's default when vite.config names no port (or computes it), and https where server.https is set", async () => {
    const app = copyPlaybookApp();
    rmSync(path.join(app, "nexus-integrate.config.json"), { force: true });
    const init = await run(["init", "--yes", "--json", "--target", app]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect((JSON.parse(init.stdout) as { notes: string[] }).notes).toContain("detected appUrl = http://localhost:5173 (no port in vite.config: Vite's default)");
    rmSync(path.join(app, "nexus-integrate.config.json"));
    writeFileSync(path.join(app, "vite.config.ts"), `export default { server: { port: Number(process.env.PORT) } };\n`);
    const computed = await run(["init", "--yes", "--json", "--target", app]);
    expect(JSON.parse(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")).appUrl).toBe("http://localhost:5173");
    expect(computed.exitCode).toBe(0);
    rmSync(path.join(app, "nexus-integrate.config.json"));
    writeFileSync(path.join(app, "vite.config.ts"), `import { defineConfig } from "vite";\nexport default defineConfig(() => {\n  return { server: { https: {}, port: 5443 } };\n});\n`);
    const secure = await run(["init", "--yes", "--json", "--target", app]);
    expect(secure.exitCode, secure.stderr).toBe(0);
    expect((JSON.parse(secure.stdout) as { notes: string[] }).notes).toContain("detected appUrl = https://localhost:5443 (vite.config.ts server.port)");
    expect(JSON.parse(readFileSync(path.join(app, "nexus-integrate.config.json"), "utf8")).appUrl).toBe("https://localhost:5443");
  });
});
