import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp } from "../helpers/fixtures.js";
import { makeToolCopy } from "../helpers/tool-copy.js";

/**
 * Presets are inputs: an app generated with an older catalog (HubSpot's v1 token endpoint, no revocation) moves to
 * the current preset on `regenerate`, through the three-way merge, keeping the user's own values and hand edits.
 */
const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const PROVIDER = "supabase/functions/_shared/nexus-integrate/providers/hubspot.ts";
const V1_TOKEN = "https://api.hubapi.com/oauth/v1/token";
const CURRENT_TOKEN = "https://api.hubapi.com/oauth/2026-03/token";

const run = (bin: string, args: string[]) => execa("node", [bin, ...args], { reject: false, stdin: "ignore", env: ENV });
const read = (app: string, file: string) => readFileSync(path.join(app, file), "utf8");
const lockOf = (app: string) => JSON.parse(read(app, "nexus-integrate.lock.json")) as { integrations: Record<string, { spec: Record<string, unknown>; source?: Record<string, unknown> }> };

/** The tool as it was before HubSpot's 2026-03 endpoints: v1 token endpoint, no revocation, no error mapping. */
function oldTool() {
  const tool = makeToolCopy();
  tool.editPreset("hubspot", (preset) => {
    preset.tokenUrl = V1_TOKEN;
    preset.revocationUrl = null;
    delete preset.errors;
  });
  return tool;
}

describe("a preset corrected by a new tool version reaches installed integrations", () => {
  it("regenerate --check names the endpoint change (exit 1); regenerate applies it, keeps a hand edit and the user's scopes; --check passes after", async () => {
    const old = oldTool();
    const app = copyExampleApp();
    // The user's own value over the preset: their scopes.
    const generated = await run(old.bin, ["new", "hubspot", "--yes", "--target", app, "--scopes", "oauth crm.objects.companies.read"]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(read(app, PROVIDER)).toContain(V1_TOKEN);
    const recorded = lockOf(app).integrations.hubspot!;
    expect(recorded.source).toEqual({ preset: "hubspot", variables: {}, overrides: { id: "hubspot", scopes: ["oauth", "crm.objects.companies.read"] } });

    // A hand edit in the same file the preset change lands in.
    const edited = read(app, PROVIDER).replace("export function transformHubSpotRecord(item: unknown): unknown {\n  return item;", "export function transformHubSpotRecord(item: unknown): unknown {\n  // team: keep the raw record\n  return item;");
    expect(edited).not.toBe(read(app, PROVIDER));
    writeFileSync(path.join(app, PROVIDER), edited);

    const check = await run(BIN, ["regenerate", "--all", "--check", "--target", app]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(1);
    const output = check.stdout + check.stderr;
    expect(output).toContain(`hubspot: tokenUrl ${V1_TOKEN} → ${CURRENT_TOKEN}`);
    expect(output).toContain("hubspot: revocationUrl null → https://api.hubapi.com/oauth/2026-03/token/revoke");
    expect(output).toMatch(/hubspot: errors null → \{.*BAD_REFRESH_TOKEN/);
    // the user's value is not a preset change
    expect(output).not.toContain("scopes");
    const json = await run(BIN, ["regenerate", "--all", "--check", "--json", "--target", app]);
    const envelope = JSON.parse(json.stdout) as { ok: boolean; errors: { path: string; message: string }[] };
    expect(envelope.ok).toBe(false);
    expect(envelope.errors.map((i) => i.path)).toEqual(expect.arrayContaining(["hubspot.tokenUrl", "hubspot.revocationUrl"]));

    const applied = await run(BIN, ["regenerate", "--all", "--target", app]);
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/merge\s+supabase\/functions\/_shared\/nexus-integrate\/providers\/hubspot\.ts/);
    const provider = read(app, PROVIDER);
    expect(provider).toContain(`tokenEndpoint: "${CURRENT_TOKEN}"`);
    expect(provider).toContain('revocationEndpoint: "https://api.hubapi.com/oauth/2026-03/token/revoke"');
    expect(provider).toContain('reauth: ["BAD_REFRESH_TOKEN"]');
    expect(provider).toContain("// team: keep the raw record");
    expect(provider).toMatch(/scopes: \["oauth", "crm\.objects\.companies\.read"\]/);
    expect(lockOf(app).integrations.hubspot!.spec.tokenUrl).toBe(CURRENT_TOKEN);

    const after = await run(BIN, ["regenerate", "--all", "--check", "--target", app]);
    expect(after.exitCode, after.stdout + after.stderr).toBe(0);
    const doctor = await run(BIN, ["doctor", "--target", app]);
    expect(doctor.stdout).toContain('matches the current "hubspot" preset');
  }, 120_000);

  it("doctor names the preset change with its fix before the upgrade is applied", async () => {
    const old = oldTool();
    const app = copyExampleApp();
    expect((await run(old.bin, ["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const doctor = await run(BIN, ["doctor", "--target", app]);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain('FAIL  hubspot: preset — the "hubspot" preset changed: ');
    expect(doctor.stdout).toContain(`tokenUrl ${V1_TOKEN} → ${CURRENT_TOKEN}`);
    expect(doctor.stdout).toContain("nexus-integrate regenerate hubspot (your own values are kept)");
  }, 60_000);

  it("a user's own token URL wins over the preset's correction", async () => {
    const old = oldTool();
    const app = copyExampleApp();
    const mine = "https://hubspot-proxy.example.com/oauth/v1/token";
    expect((await run(old.bin, ["new", "hubspot", "--yes", "--target", app, "--token-url", mine])).exitCode).toBe(0);
    const check = await run(BIN, ["regenerate", "--all", "--check", "--target", app]);
    expect(check.stdout + check.stderr).not.toContain("tokenUrl");
    expect((await run(BIN, ["regenerate", "--all", "--target", app])).exitCode).toBe(0);
    expect(read(app, PROVIDER)).toContain(`tokenEndpoint: "${mine}"`);
    expect(read(app, PROVIDER)).toContain("oauth/2026-03/token/revoke");
  }, 60_000);

  it("a value the user pinned that the provider has since retired gives way to the preset's, and regenerate says so", async () => {
    const old = oldTool();
    old.editPreset("hubspot", (preset) => {
      delete preset.retired;
    });
    const app = copyExampleApp();
    expect((await run(old.bin, ["new", "hubspot", "--yes", "--target", app, "--token-url", V1_TOKEN])).exitCode).toBe(0);
    expect(lockOf(app).integrations.hubspot!.source).toMatchObject({ overrides: { tokenUrl: V1_TOKEN } });
    const result = await run(BIN, ["regenerate", "--all", "--target", app]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`hubspot: tokenUrl ${V1_TOKEN} is retired by the provider`);
    expect(read(app, PROVIDER)).toContain(`tokenEndpoint: "${CURRENT_TOKEN}"`);
    expect(lockOf(app).integrations.hubspot!.source!.overrides).not.toHaveProperty("tokenUrl");
    expect((await run(BIN, ["regenerate", "--all", "--check", "--target", app])).exitCode).toBe(0);
  }, 60_000);

  it("a preset that loses its webhooks takes the receiver away on regenerate (an edited one is kept and said)", async () => {
    const app = copyExampleApp();
    const old = makeToolCopy();
    old.editPreset("google-analytics", (preset) => {
      preset.webhooks = { scheme: "generic-hmac-sha256", signatureHeader: "X-Webhook-Signature", timestampHeader: null, toleranceSeconds: null, docsUrl: null };
    });
    expect((await run(old.bin, ["new", "google-analytics", "--template", "advanced", "--yes", "--target", app])).exitCode).toBe(0);
    const receiver = "supabase/functions/google-analytics-webhooks/index.ts";
    expect(read(app, receiver)).toContain("generic-hmac-sha256");
    const result = await run(BIN, ["regenerate", "--all", "--target", app]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/delete\s+supabase\/functions\/google-analytics-webhooks\/index\.ts/);
    expect(() => read(app, receiver)).toThrow();
    expect(read(app, "supabase/config.toml")).not.toContain("google-analytics-webhooks");
  }, 60_000);
});
