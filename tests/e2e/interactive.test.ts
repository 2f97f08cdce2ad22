import { execa } from "execa";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, snapshotTree } from "../helpers/fixtures.js";
import { ENTER, ptySession } from "../helpers/pty.js";

const session = ptySession;

const ANSWERS = {
  displayName: "Acme CRM",
  authUrl: "https://auth.acme.example/authorize",
  tokenUrl: "https://auth.acme.example/token",
  apiBaseUrl: "https://api.acme.example/v2",
  scopes: "contacts.read, offline_access",
  syncPath: "/contacts",
};

describe("finding the provider", () => {
  it("`new google` names the Google presets without a terminal (exit 2), and offers them at one", async () => {
    const app = copyExampleApp();
    const piped = await execa("node", [BIN, "new", "google", "--yes", "--target", app], { reject: false, stdin: "ignore", env: { NO_COLOR: "1" } });
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr).toContain("did you mean google-analytics or google-workspace?");
    const picked = await session(["new", "google", "--target", app], [["these are:", `\u001b[B${ENTER}`], ["Write these files\\?", "n" + ENTER]]);
    expect(picked.output).toContain("google-workspace");
    expect(picked.output).toContain("nexus-integrate will generate google-workspace");
  });
});

describe("a required preset variable at a terminal", () => {
  it("new okta asks for the org domain with no default (an empty answer is refused), and the answer makes the endpoints", async () => {
    const app = copyExampleApp();
    const result = await session(
      ["new", "okta", "--target", app],
      [["domain: your Okta org domain", ENTER], ["must match", `acme.okta.com${ENTER}`], ["Write these files\\?", "y" + ENTER]],
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("(for example dev-123456.okta.com)");
    expect(result.output).not.toContain("your-org.okta.com");
    const lock = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")) as { integrations: { okta: { spec: { authorizationUrl: string } } } };
    expect(lock.integrations.okta.spec.authorizationUrl).toBe("https://acme.okta.com/oauth2/v1/authorize");
  });
});

describe("interactive new", () => {
  it("asks only for what is missing, validates answers with the schema, confirms, and writes what the flags would", async () => {
    const interactive = copyExampleApp();
    const result = await session(
      ["new", "acme-crm", "--target", interactive],
      [
        ["Display name", ANSWERS.displayName + ENTER],
        ["Authorization endpoint URL", "http://insecure.example/authorize" + ENTER],
        ["must use https", "\u0015" + ANSWERS.authUrl + ENTER], // Ctrl-U clears the bad answer
        ["Token endpoint URL", ANSWERS.tokenUrl + ENTER],
        ["API base URL", ANSWERS.apiBaseUrl + ENTER],
        ["Scopes", ANSWERS.scopes + ENTER],
        ["API path", ANSWERS.syncPath + ENTER],
        ["Write these files\\?", "y" + ENTER],
      ],
    );
    expect(result.output).not.toContain("Integration id"); // the positional id was given: not asked
    expect(result.stepsDone).toBe(8);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("acme-crm-exchange-tokens/index.ts");

    const scripted = copyExampleApp();
    const flags = await execa(
      "node",
      [
        BIN, "new", "acme-crm", "--yes", "--target", scripted,
        "--name", ANSWERS.displayName, "--auth-url", ANSWERS.authUrl, "--token-url", ANSWERS.tokenUrl,
        "--api-base-url", ANSWERS.apiBaseUrl, "--scopes", ANSWERS.scopes, "--sync-path", ANSWERS.syncPath,
      ],
      { env: { SOURCE_DATE_EPOCH: "1764000000" } },
    );
    expect(flags.exitCode).toBe(0);
    expect(snapshotTree(interactive)).toEqual(snapshotTree(scripted));
  });

  it("'no' at the confirmation ends the run there: no note on what the run would have added comes after the answer", async () => {
    const app = copyExampleApp();
    const result = await session(
      ["new", "acme-crm", "--target", app, "--name", ANSWERS.displayName, "--auth-url", ANSWERS.authUrl, "--token-url", ANSWERS.tokenUrl, "--api-base-url", ANSWERS.apiBaseUrl, "--scopes", ANSWERS.scopes, "--sync-path", ANSWERS.syncPath],
      [["Write these files\\?", "n" + ENTER]],
    );
    expect(result.exitCode).toBe(1);
    const afterAnswer = result.output.slice(result.output.lastIndexOf("Write these files?"));
    expect(afterAnswer).toContain("not confirmed; nothing was written");
    expect(afterAnswer).not.toContain("Added prompt=consent");
  });

  it("a preset needs no answers: it shows the plan and asks before writing; 'no' writes nothing", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await session(["new", "hubspot", "--target", app], [["Write these files\\?", "n" + ENTER]]);
    expect(result.output).toContain("create     src/components/integrations/HubSpotSetup.tsx");
    expect(result.exitCode).toBe(1);
    expect(snapshotTree(app)).toEqual(before);
    // A plan that was not carried out reads as a plan: nothing "created", "nothing was written".
    const after = result.output.slice(result.output.lastIndexOf("Write these files?"));
    expect(after).toMatch(/\d+ files: \d+ to create/);
    expect(after).not.toMatch(/\d+ created/);
    expect(after).toContain("not confirmed; nothing was written");
    expect(after).toContain("Run the same command again and answer yes");
    expect(after).not.toContain("Routes /integrations/hubspot"); // nothing was written: no step claims it was
  });

  it("new without a provider offers the catalog (searchable), then asks the preset's variables with their defaults", async () => {
    const app = copyExampleApp();
    const result = await session(
      ["new", "--target", app],
      [
        ["Provider \\(type to filter\\)", "salesf"],
        ["Salesforce \\(salesforce\\)", ENTER],
        ["domain: login \\(production\\), test \\(sandbox\\)", "\u0015test" + ENTER],
        ["Write these files\\?", "y" + ENTER],
      ],
    );
    expect(result.stepsDone, result.output).toBe(4);
    expect(result.exitCode, result.output).toBe(0);
    const provider = readFileSync(path.join(app, "supabase/functions/_shared/nexus-integrate/providers/salesforce.ts"), "utf8");
    expect(provider).toContain("https://test.salesforce.com/services/oauth2/token");
  });

  it("the summary before the confirmation shows the spec as readable lines; a scope with a space is refused at the prompt", async () => {
    const app = copyExampleApp();
    const result = await session(
      ["new", "acme-crm", "--target", app],
      [
        ["Display name", ANSWERS.displayName + ENTER],
        ["Authorization endpoint URL", ANSWERS.authUrl + ENTER],
        ["Token endpoint URL", ANSWERS.tokenUrl + ENTER],
        ["API base URL", ANSWERS.apiBaseUrl + ENTER],
        ["Scopes \\(separated by commas", "crm read" + ENTER],
        ["contains a space", "\u0015" + ANSWERS.scopes + ENTER],
        ["API path", ANSWERS.syncPath + ENTER],
        ["Write these files\\?", "n" + ENTER],
      ],
    );
    expect(result.stepsDone, result.output).toBe(8);
    expect(result.output).toMatch(/scopes\s+contacts\.read, offline_access/);
    // Nested fields one per line by their dotted names, not run together as a=b, c=d.
    expect(result.output).toMatch(/sync\.frequencySeconds\s+3600\r?\n/);
    expect(result.output).toMatch(/sync\.path\s+\/contacts\r?\n/);
    expect(result.output).not.toMatch(/frequencySeconds=/);
    // The basic set has no webhook receiver: no webhooks line.
    expect(result.output).not.toMatch(/^\s+webhooks/m);
    // offline_access without a prompt: OIDC Core §11 consent is added, and shown before anything is written
    expect(result.output).toMatch(/authorizationParams\.prompt\s+consent/);
    expect(result.output).not.toContain('["contacts.read"');
  });

  it("a name one typo from a preset asks whether the preset was meant", async () => {
    const app = copyExampleApp();
    const result = await session(
      ["new", "hubsopt", "--target", app],
      [
        ['"hubsopt" is not a preset\\. Did you mean hubspot\\?', "y" + ENTER],
        ["Write these files\\?", "n" + ENTER],
      ],
    );
    expect(result.stepsDone, result.output).toBe(2);
    expect(result.output).toContain("create     src/components/integrations/HubSpotSetup.tsx");
  });

  it("Ctrl-C at a prompt exits 130 and writes nothing", async () => {
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await session(["new", "acme-crm", "--target", app], [["Display name", "\u0003"]]);
    expect(result.exitCode).toBe(130);
    expect(snapshotTree(app)).toEqual(before);
  });

  it("--yes never prompts, even at a terminal: missing values name their flags", async () => {
    const app = copyExampleApp();
    const result = await session(["new", "acme-crm", "--yes", "--target", app], []);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("--auth-url");
    expect(result.output).not.toContain("?");
  });
});

describe("interactive remove", () => {
  it("lists the data its migration deletes and asks, defaulting to no: Enter writes nothing, yes removes", async () => {
    const app = copyExampleApp();
    expect((await execa("node", [BIN, "new", "hubspot", "--yes", "--target", app], { env: { SOURCE_DATE_EPOCH: "1764000000" } })).exitCode).toBe(0);
    const before = snapshotTree(app);
    const declined = await session(["remove", "hubspot", "--target", app], [["deletes this data\\?", ENTER]]);
    expect(declined.stepsDone).toBe(1);
    expect(declined.output).toContain("nexus-integrate will remove hubspot:");
    expect(declined.output).toContain("table public.hubspot_records is dropped");
    expect(declined.output).toContain("(y/N)");
    expect(declined.exitCode).toBe(1);
    expect(snapshotTree(app)).toEqual(before);

    const accepted = await session(["remove", "hubspot", "--target", app], [["deletes this data\\?", "y" + ENTER]]);
    expect(accepted.exitCode, accepted.output).toBe(0);
    expect(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).not.toContain('"hubspot": {');
  });
});
