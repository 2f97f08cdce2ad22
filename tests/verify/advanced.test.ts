import { execa } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { denoCheckFunctions, functionEntries, tscApp } from "../helpers/app-checks.js";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";

/** The advanced set on a copy of the example app: it type-checks, passes deno check and builds with Vite. */
let app: string;

beforeAll(async () => {
  app = copyExampleApp();
  await generate(app, "hubspot", { template: "advanced" });
  await generate(app, "slack", { template: "advanced" });
  linkAppDeps(app);
}, 120_000);

describe("the advanced template set", () => {
  it("adds the service, hook, dashboard and webhook function", () => {
    for (const file of [
      "src/services/integrations/hubspot/HubSpotService.ts",
      "src/hooks/useHubSpotData.ts",
      "src/components/integrations/HubSpotDashboard.tsx",
      "supabase/functions/hubspot-webhooks/index.ts",
      "supabase/functions/_shared/nexus-integrate/webhooks.ts",
    ]) {
      expect(existsSync(path.join(app, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(app, "supabase/config.toml"), "utf8")).toContain("[functions.hubspot-webhooks]\nverify_jwt = false");
    expect(readFileSync(path.join(app, "supabase/functions/slack-webhooks/index.ts"), "utf8")).toContain('scheme: "slack-v0"');
  });

  it("type-checks with the app's tsc", async () => {
    const result = await tscApp(app);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("passes deno check in each function's folder", async () => {
    const entries = functionEntries(app);
    expect(entries).toContain("hubspot-webhooks/index.ts");
    expect(await denoCheckFunctions(app, entries)).toEqual([]);
  });

  it("builds with Vite, the new routes included", async () => {
    const vite = path.join(app, "node_modules", "vite", "bin", "vite.js");
    const result = await execa("node", [vite, "build", "--logLevel", "warn"], { cwd: app, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const assets = readdirSync(path.join(app, "dist", "assets")).filter((f) => f.endsWith(".js"));
    const bundle = assets.map((f) => readFileSync(path.join(app, "dist", "assets", f), "utf8")).join("\n");
    expect(bundle).toContain("/integrations/hubspot/callback");
    expect(bundle).toContain("/integrations/slack/callback");
  }, 120_000);
});
