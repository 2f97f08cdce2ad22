import { execa } from "execa";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listPresetIds, loadPreset, presetReferences } from "../../src/spec/presets.js";
import { BIN, copyExampleApp } from "../helpers/fixtures.js";

/** Every preset's docs page says where its values go in the provider's console, per environment. */
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });

describe("console steps", () => {
  it("every preset has numbered console steps from the provider's documentation, one of them placing the redirect URI", () => {
    for (const id of listPresetIds()) {
      const spec = loadPreset(id);
      const steps = spec.console?.steps ?? [];
      expect(steps.length, id).toBeGreaterThanOrEqual(4);
      expect(steps.some((step) => step.includes("{redirectUri}")), `${id}: a step says where the redirect URI goes`).toBe(true);
      expect(spec.console!.docsUrl, id).toBe(presetReferences(id).console);
      // docsUrl is the provider's guide to building an OAuth app, not a token endpoint's API reference.
      expect(spec.docsUrl, id).not.toMatch(/api-reference|\/reference\/.*token|manage-oauth-tokens/);
    }
  });

  it("GitHub (one callback URL per OAuth App): one app per environment, in the docs page, its checklist and new's next step", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "github", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    const docs = readFileSync(path.join(app, "docs/integrations/github.md"), "utf8");
    const step1 = docs.slice(docs.indexOf("## 1. Register"), docs.indexOf("## 2. Set secrets"));
    expect(step1).toMatch(/^1\. On GitHub click your profile picture > Settings/m);
    expect(step1).toContain("set Authorization callback URL to `http://localhost:5173/integrations/github/callback`");
    expect(step1).toContain("Redirect URI of the production app (a second app: GitHub holds one callback URL per app)");
    expect(step1).not.toContain("on the same app");
    expect(docs).toContain("registered in the development app, the production URL in the production app");
    expect(docs).not.toContain("and the production URL registered");
    expect(result.stdout).toContain("GitHub holds one callback URL per app, so production gets an app of its own");
    expect(result.stdout).not.toContain("add your production URL too");
  });

  it("HubSpot (several redirect URIs on one app): both on the same app; its notes keep their code spans and read as written", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--template", "advanced", "--yes", "--target", app])).exitCode).toBe(0);
    const docs = readFileSync(path.join(app, "docs/integrations/hubspot.md"), "utf8");
    expect(docs).toContain("Redirect URI (production, on the same app)");
    expect(docs).toContain("into `requiredScopes`");
    expect(docs).toContain("`oauth`, `crm.objects.contacts.read` into `requiredScopes`");
    expect(docs).toContain("> **Provider notes:** OAuth 2026-03 endpoints");
    expect(docs).toContain("carry a `scopes` array instead of `scope`");
    expect(docs).not.toContain("2026\\-03");
    // The advanced set's webhook section says where the signing secret is.
    expect(docs).toMatch(/Where the secret is: No separate signing key: HubSpot signs webhook requests/);
  });
});
