import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, snapshotTree } from "../helpers/fixtures.js";

/** Custom providers from flags: an issuer with a path, providers without scopes, offline_access and consent. */
const run = (args: string[]) => execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000" } });
const base = (app: string) => [
  "new",
  "keycloak",
  "--yes",
  "--target",
  app,
  "--name",
  "Keycloak",
  "--auth-url",
  "https://sso.example.com/realms/acme/protocol/openid-connect/auth",
  "--token-url",
  "https://sso.example.com/realms/acme/protocol/openid-connect/token",
  "--api-base-url",
  "https://api.example.com",
  "--sync-path",
  "/v1/items",
];
const provider = (app: string) => readFileSync(path.join(app, "supabase/functions/_shared/nexus-integrate/providers/keycloak.ts"), "utf8");

describe("custom providers from flags", () => {
  it("--issuer with a path is what iss and ID tokens are checked against", async () => {
    const app = copyExampleApp();
    const result = await run([...base(app), "--scopes", "openid", "--issuer", "https://sso.example.com/realms/acme"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(provider(app)).toContain('issuer: "https://sso.example.com/realms/acme",');
  });

  it("--issuer must be a URL like every endpoint (exit 2, nothing written)", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await run([...base(app), "--scopes", "openid", "--issuer", "sso.example.com/realms/acme", "--json"]);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "issuer", message: '"sso.example.com/realms/acme" is not a valid absolute URL' }]);
    expect(snapshotTree(app)).toEqual(before);
  });

  it('a provider without scopes is accepted (--scopes ""): no scope parameter is sent', async () => {
    const app = copyExampleApp();
    const result = await run([...base(app), "--scopes", ""]);
    expect(result.exitCode, result.stderr).toBe(0);
    const utils = readFileSync(path.join(app, "src/services/integrations/keycloak/utils.ts"), "utf8");
    expect(utils).toContain("export const REQUIRED_SCOPES: readonly string[] = [];");
    // The browser's URL builder (the shared one, fed this provider's data) sends no scope parameter.
    const module = (await import(pathToFileURL(path.join(app, "src/services/integrations/keycloak/utils.ts")).href)) as {
      createKeycloakAuthUrl(params: { clientId: string; redirectUri: string; state: string }): string;
    };
    const url = new URL(module.createKeycloakAuthUrl({ clientId: "client", redirectUri: "http://127.0.0.1:5173/cb", state: "s" }));
    expect(url.searchParams.has("scope")).toBe(false);
    expect(url.searchParams.get("client_id")).toBe("client");
  });

  it("offline_access gets prompt=consent unless a prompt is given, and new says so", async () => {
    const app = copyExampleApp();
    const result = await run([...base(app), "--scopes", "openid offline_access"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Added prompt=consent");
    const utils = readFileSync(path.join(app, "src/services/integrations/keycloak/utils.ts"), "utf8");
    expect(utils).toMatch(/prompt: "consent"/);

    const chosen = copyExampleApp();
    const mine = await run([...base(chosen), "--scopes", "openid offline_access", "--auth-param", "prompt=login"]);
    expect(mine.exitCode, mine.stderr).toBe(0);
    expect(mine.stdout).not.toContain("Added prompt=consent");
    expect(readFileSync(path.join(chosen, "src/services/integrations/keycloak/utils.ts"), "utf8")).toMatch(/prompt: "login"/);
  });

  it("a preset keeps what its provider documents (Xero: offline_access without prompt)", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "xero", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("prompt=consent");
  });

  it("an unknown webhook scheme in a spec is refused with the list", async () => {
    const app = copyExampleApp();
    const spec = path.join(app, "spec.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(spec, JSON.stringify({ webhooks: { scheme: "svix" } }));
    const result = await run([...base(app), "--scopes", "openid", "--spec", spec, "--json"]);
    expect(result.exitCode).toBe(2);
    const [issue] = JSON.parse(result.stdout).errors as { path: string; message: string }[];
    expect(issue!.path).toBe("webhooks.scheme");
    expect(issue!.message).toContain("xero, linkedin, zoom, dropbox, notion, microsoft-graph");
  });
});
