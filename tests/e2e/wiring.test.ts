import { execa } from "execa";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, configureLocalEnv, copyExampleApp, EXAMPLE_APP } from "../helpers/fixtures.js";

const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: ENV });
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("wiring into the app", () => {
  it("registers the routes and the registry entry once, however often new runs; remove restores both files", async () => {
    const app = copyExampleApp();
    for (let i = 0; i < 2; i++) expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const router = read(app, "src/App.tsx");
    expect(count(router, 'path="/integrations/hubspot/callback"')).toBe(1);
    expect(count(router, 'path="/integrations/hubspot"')).toBe(1);
    expect(count(router, "import { HubSpotCallbackPage }")).toBe(1);
    expect(count(read(app, "src/integrations/registry.ts"), "id: HUBSPOT_INTEGRATION.id")).toBe(1);

    expect((await run(["new", "google-analytics", "--yes", "--target", app])).exitCode).toBe(0);
    expect((await run(["remove", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    expect((await run(["remove", "google-analytics", "--yes", "--target", app])).exitCode).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(read(EXAMPLE_APP, "src/App.tsx"));
    expect(read(app, "src/integrations/registry.ts")).toBe(read(EXAMPLE_APP, "src/integrations/registry.ts"));
  });

  it("a router without the markers gets the routes by code-mod: --dry-run shows the edit, a second run changes nothing, remove takes it out byte for byte", async () => {
    const app = copyExampleApp();
    const plain = read(app, "src/App.tsx").replace(/.*nexus-integrate:.*\n/g, "");
    writeFileSync(path.join(app, "src/App.tsx"), plain);
    const dry = await run(["new", "hubspot", "--yes", "--dry-run", "--diff", "src/App.tsx", "--target", app]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(plain);
    expect(dry.stdout).toMatch(/update\s+src\/App\.tsx — routes wired into src\/App\.tsx/);
    expect(dry.stdout).toContain('+        <Route path="/integrations/hubspot/callback" element={<HubSpotCallbackPage />} />');

    const result = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    const wired = read(app, "src/App.tsx");
    expect(wired).toBe(
      plain
        // The shared routes (the health page: the example app has Recharts) come first, then the integration's.
        .replace('import { IntegrationsPage } from "@/pages/IntegrationsPage";\n', 'import { IntegrationsPage } from "@/pages/IntegrationsPage";\nimport { IntegrationHealthPage } from "@/pages/integrations/IntegrationHealthPage";\nimport { HubSpotSetup } from "@/components/integrations/HubSpotSetup";\nimport { HubSpotCallbackPage } from "@/pages/integrations/HubSpotCallbackPage";\n')
        .replace('        <Route path="/integrations" element={<IntegrationsPage />} />\n', '        <Route path="/integrations" element={<IntegrationsPage />} />\n        <Route path="/integrations/health" element={<IntegrationHealthPage />} />\n        <Route path="/integrations/hubspot" element={<HubSpotSetup />} />\n        <Route path="/integrations/hubspot/callback" element={<HubSpotCallbackPage />} />\n'),
    );
    expect(result.stdout).not.toMatch(/paste/i);
    const again = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(again.exitCode).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(wired);
    expect((await run(["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);

    expect((await run(["remove", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(plain);
  });

  it("a router of a shape the code-mod does not know is left alone, with the reason and the snippet to paste", async () => {
    const app = copyExampleApp();
    const odd = 'import { useRoutes } from "react-router";\nimport { routes } from "./routes";\n\nexport function App() {\n  return useRoutes(routes);\n}\n';
    writeFileSync(path.join(app, "src/App.tsx"), odd);
    const result = await run(["new", "hubspot", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(app, "src/App.tsx")).toBe(odd);
    expect(result.stdout).toMatch(/keep\s+src\/App\.tsx — src\/App\.tsx was left as it is: it has no <Routes> element/);
    expect(result.stdout).toContain("{/* <nexus-integrate:routes> */}");
    expect(result.stdout).toContain('<Route path="/integrations/hubspot/callback" element={<HubSpotCallbackPage />} />');
  });
});

describe("doctor", () => {
  it("passes on a fresh integration", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    configureLocalEnv(app, ["HUBSPOT"]);
    const result = await run(["doctor", "--target", app]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain("Everything checked looks right.");
    expect(result.stdout).toContain("Not checked here:");
  });

  it("reports a planted VITE_ secret and a deleted generated file, each with a fix (exit 1)", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    configureLocalEnv(app, ["HUBSPOT"]);
    writeFileSync(path.join(app, ".env.local"), "VITE_HUBSPOT_CLIENT_ID=hubspot-client\nVITE_HUBSPOT_CLIENT_SECRET=oops\n");
    rmSync(path.join(app, "src/pages/integrations/HubSpotCallbackPage.tsx"));
    const result = await run(["doctor", "--target", app]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+no-secret-in-vite — \.env\.local sets VITE_HUBSPOT_CLIENT_SECRET/);
    expect(result.stdout).toContain("fix: delete it from .env.local; set the secret with `supabase secrets set HUBSPOT_CLIENT_SECRET=…`");
    expect(result.stdout).toMatch(/FAIL\s+hubspot: files — missing: src\/pages\/integrations\/HubSpotCallbackPage\.tsx/);
    expect(result.stdout).toContain("fix: nexus-integrate regenerate hubspot");
    const json = JSON.parse((await run(["doctor", "--target", app, "--json"])).stdout);
    expect(json.ok).toBe(false);
    expect(json.findings.filter((f: { ok: boolean }) => !f.ok).map((f: { check: string }) => f.check).sort()).toEqual([
      "files",
      "no-secret-in-vite",
    ]);
  });
});
