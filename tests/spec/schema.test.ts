import { describe, expect, it } from "vitest";
import { buildSpec, finalizeSpec, mergeSpecLayers } from "../../src/spec/build.js";
import { derivePascalName, deriveNames } from "../../src/spec/names.js";
import { listPresetIds, loadPreset } from "../../src/spec/presets.js";
import { hostileSpecInput, usageIssues } from "../helpers/fixtures.js";


const base = {
  id: "acme",
  displayName: "Acme",
  authorizationUrl: "https://auth.acme.test/authorize",
  tokenUrl: "https://auth.acme.test/token",
  apiBaseUrl: "https://api.acme.test",
  scopes: ["read"],
  sync: { path: "/items" },
};

describe("IntegrationSpec", () => {
  it("fills defaults and derived names", () => {
    const spec = finalizeSpec(base);
    expect(spec).toMatchObject({
      pascalName: "Acme",
      scopeSeparator: " ",
      pkce: true,
      template: "basic",
      tokenEndpointAuthMethod: "client_secret_post",
      userinfoUrl: null,
      authorizationParams: {},
      sync: { path: "/items", itemsField: null, idField: "id" },
    });
    expect(spec.benefits.length).toBeGreaterThan(0);
  });

  it.each(listPresetIds())("preset %s is a valid spec", (id) => {
    const spec = buildSpec({ positional: id });
    expect(spec.id).toBe(id);
    expect(spec.docsUrl).toMatch(/^https:\/\//);
    expect(spec.authorizationUrl).toMatch(/^https:\/\//);
  });

  it("covers the playbook's four working examples", () => {
    expect(listPresetIds()).toEqual(expect.arrayContaining(["hubspot", "microsoft", "google-analytics", "google-workspace"]));
  });

  it.each([
    ["../evil", "id"],
    ["Evil", "id"],
    ["a", "id"],
    ["double--hyphen", "id"],
    ["-lead", "id"],
    ["9lives", "id"],
    ["x".repeat(41), "id"],
  ])("rejects id %j", (id, field) => {
    const issues = usageIssues(() => finalizeSpec({ ...base, id }));
    expect(issues).toEqual([expect.objectContaining({ path: field, message: expect.stringContaining("must be a slug") })]);
  });

  it("rejects a non-https endpoint but allows loopback http", () => {
    const issues = usageIssues(() => finalizeSpec({ ...base, tokenUrl: "http://auth.acme.test/token" }));
    expect(issues).toEqual([{ path: "tokenUrl", message: expect.stringContaining("must use https") }]);
    expect(finalizeSpec({ ...base, tokenUrl: "http://127.0.0.1:8080/token" }).tokenUrl).toBe("http://127.0.0.1:8080/token");
    expect(finalizeSpec({ ...base, tokenUrl: "http://localhost:8080/token" }).tokenUrl).toBe("http://localhost:8080/token");
  });

  it.each([
    ["crm read", "a space"],
    ['crm"read', "a double quote"],
    ["crm\\read", "a backslash"],
    ["crm\nread", "a newline"],
    ["crmé", "the character U+00E9"],
  ])("rejects scope %j (contains %s) with the field path", (scope, what) => {
    const issues = usageIssues(() => finalizeSpec({ ...base, scopes: ["ok", "fine", scope] }));
    expect(issues).toEqual([{ path: "scopes[2]", message: expect.stringContaining(`contains ${what}`) }]);
  });

  it("reads an error code by a dotted path that may index an array after its first name (errors.0.category)", () => {
    expect(finalizeSpec({ ...base, errors: { codeField: "errors.0.category" } }).errors?.codeField).toBe("errors.0.category");
    for (const bad of ["0.code", "errors..code", "errors.0x.code", "errors[0].code"]) {
      expect(usageIssues(() => finalizeSpec({ ...base, errors: { codeField: bad } })), bad).toEqual([
        { path: "errors.codeField", message: expect.stringContaining("dotted field path") },
      ]);
    }
  });

  it("rejects control characters in display text and reserved authorization params", () => {
    expect(usageIssues(() => finalizeSpec({ ...base, displayName: "Acme\nInc" }))[0]).toMatchObject({ path: "displayName" });
    expect(usageIssues(() => finalizeSpec({ ...base, authorizationParams: { state: "x" } }))[0]).toMatchObject({
      path: "authorizationParams.state",
      message: expect.stringContaining("cannot be overridden"),
    });
  });

  it("never carries a __proto__ key into the spec (it would change an object literal's prototype)", () => {
    const input = JSON.parse('{"__proto__": "x", "prompt": "consent"}') as Record<string, string>;
    const spec = finalizeSpec({ ...base, authorizationParams: input });
    expect(Object.keys(spec.authorizationParams)).toEqual(["prompt"]);
  });

  it("console steps: a placeholder the docs page cannot fill, and a one-or-many answer it does not know, are refused by field", () => {
    const console = { url: "https://console.acme.test", docsUrl: "https://docs.acme.test/apps", steps: ["Create an app.", "Paste {redirectUri}."], redirectUris: "many" as const, environments: "One app holds both." };
    expect(finalizeSpec({ ...base, console }).console).toEqual({ ...console, webhookSecret: null });
    expect(usageIssues(() => finalizeSpec({ ...base, console: { ...console, steps: ["Create an app.", "Paste {callback}."] } }))).toEqual([
      { path: "console.steps[1]", message: "{callback} is not a placeholder ({redirectUri}, {scopes}, {webhookUrl})" },
    ]);
    expect(usageIssues(() => finalizeSpec({ ...base, console: { ...console, redirectUris: "two" as "one" } }))).toEqual([
      { path: "console.redirectUris", message: 'must be "many" (one app holds several redirect URIs) or "one" (one per app)' },
    ]);
  });

  it("userinfoFields: read into connection fields by path, from a userinfo endpoint; each named, bad ones refused by field", () => {
    const input = {
      ...base,
      userinfoUrl: "https://auth.acme.test/userinfo",
      connectionFields: ["base_uri", "user_id"],
      userinfoFields: { base_uri: "accounts[is_default=true].base_uri", user_id: "data.0.id" },
    };
    expect(finalizeSpec(input).userinfoFields).toEqual(input.userinfoFields);
    expect(finalizeSpec(base).userinfoFields).toEqual({});
    expect(usageIssues(() => finalizeSpec({ ...input, userinfoUrl: null }))).toEqual([
      { path: "userinfoFields", message: "userinfoFields needs a userinfoUrl (the response they are read from)" },
    ]);
    expect(usageIssues(() => finalizeSpec({ ...input, userinfoFields: { account: "id" } }))).toEqual([
      { path: "userinfoFields.account", message: '"account" is not one of connectionFields' },
    ]);
    expect(usageIssues(() => finalizeSpec({ ...input, userinfoFields: { user_id: "data..id" } }))).toEqual([
      { path: "userinfoFields.user_id", message: 'must be a path such as "data.id", "0.id" or "accounts[is_default=true].base_uri"' },
    ]);
  });

  it("userinfoTokenScheme: Bearer unless the provider's userinfo takes OAuth (Mailchimp's metadata); anything else refused", () => {
    expect(finalizeSpec(base).userinfoTokenScheme).toBe("Bearer");
    expect(finalizeSpec({ ...base, userinfoTokenScheme: "OAuth" }).userinfoTokenScheme).toBe("OAuth");
    expect(usageIssues(() => finalizeSpec({ ...base, userinfoTokenScheme: "Basic" as "OAuth" }))).toEqual([
      { path: "userinfoTokenScheme", message: 'must be "Bearer" or "OAuth"' },
    ]);
  });

  it("rejects unknown fields by name", () => {
    expect(usageIssues(() => finalizeSpec({ ...base, clientSecret: "x" } as never))).toEqual([
      { path: "", message: 'unknown field "clientSecret"' },
    ]);
  });

  it("lists every missing required value with its flag", () => {
    const issues = usageIssues(() => buildSpec({ positional: "acme" }));
    expect(issues.map((i) => i.path)).toEqual(["displayName", "authorizationUrl", "tokenUrl", "apiBaseUrl", "scopes", "sync.path"]);
    expect(issues[1]!.message).toContain("--auth-url");
  });

  it("accepts hostile but valid values", () => {
    const spec = finalizeSpec(hostileSpecInput());
    expect(spec.displayName).toContain("</script>");
    expect(spec.pascalName).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });
});

describe("spec layering", () => {
  it("flags override the spec file, which overrides the preset; sync merges per field", () => {
    const merged = mergeSpecLayers(
      { displayName: "Preset", scopes: ["a"], sync: { path: "/p", idField: "pid" } },
      { displayName: "File", sync: { path: "/f" } },
      { scopes: ["flag"], displayName: undefined },
    );
    expect(merged).toEqual({ displayName: "File", scopes: ["flag"], sync: { path: "/f", idField: "pid" } });
  });

  it("a positional preset name selects the preset; --preset with a new id reuses it", () => {
    const spec = buildSpec({ positional: "hubspot-eu", preset: "hubspot", flags: { authorizationUrl: "https://app-eu1.hubspot.com/oauth/authorize" } });
    expect(spec.id).toBe("hubspot-eu");
    expect(spec.tokenUrl).toBe(loadPreset("hubspot").tokenUrl);
    expect(spec.authorizationUrl).toBe("https://app-eu1.hubspot.com/oauth/authorize");
  });
});

describe("names", () => {
  it("derives every case once", () => {
    expect(deriveNames("google-analytics", "GoogleAnalytics")).toEqual({
      id: "google-analytics",
      kebab: "google-analytics",
      pascal: "GoogleAnalytics",
      camel: "googleAnalytics",
      constant: "GOOGLE_ANALYTICS",
      snake: "google_analytics",
    });
  });

  it("keeps the display name's capitals and falls back to the id", () => {
    expect(derivePascalName("hubspot", "HubSpot")).toBe("HubSpot");
    expect(derivePascalName("acme", "🚀🚀")).toBe("Acme");
    expect(derivePascalName("x-ray", "123 go")).toBe("XRay");
  });
});
