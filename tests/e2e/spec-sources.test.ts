import { Ajv2020 } from "ajv/dist/2020.js";
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { OAuth2Server } from "oauth2-mock-server";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, copyExampleApp, REPO_ROOT, snapshotTree } from "../helpers/fixtures.js";
import { ptySession } from "../helpers/pty.js";

function run(args: string[], env: Record<string, string> = {}) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", SOURCE_DATE_EPOCH: "1764000000", ...env } });
}

const SPECS = path.join(REPO_ROOT, "examples", "specs");

describe("spec files and their JSON Schema", () => {
  it("`schema` prints a JSON Schema that validates both example spec files and rejects a broken one", async () => {
    const result = await run(["schema"]);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const yamlSpec = parseYaml(readFileSync(path.join(SPECS, "acme.yaml"), "utf8"));
    const jsonSpec = JSON.parse(readFileSync(path.join(SPECS, "globex.json"), "utf8"));
    expect(validate(yamlSpec), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(jsonSpec), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...jsonSpec, scopeSeparator: ";" })).toBe(false);
    expect(validate({ ...jsonSpec, clientSecret: "x" })).toBe(false);
  });

  it.each(["acme.yaml", "globex.json"])("examples/specs/%s generates (no positional id needed)", async (file) => {
    const app = copyExampleApp();
    const result = await run(["new", "--spec", path.join(SPECS, file), "--yes", "--target", app, "--json"]);
    expect(result.exitCode, result.stdout).toBe(0);
    const id = JSON.parse(result.stdout).integration.id as string;
    expect(id).toBe(file === "acme.yaml" ? "acme-crm" : "globex");
  });

  it("a positional id overrides the spec file's", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "acme-eu", "--spec", path.join(SPECS, "acme.yaml"), "--yes", "--target", app, "--json"]);
    expect(JSON.parse(result.stdout).integration.id).toBe("acme-eu");
  });

  it("a YAML syntax error is exit 2 naming the file", async () => {
    const app = copyExampleApp();
    const broken = path.join(app, "broken.yaml");
    await import("node:fs").then((fs) => fs.writeFileSync(broken, "id: [unclosed\n"));
    const result = await run(["new", "--spec", broken, "--yes", "--target", app]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("broken.yaml");
  });
});

describe("list", () => {
  it("shows presets and the target's installed integrations, human and JSON", async () => {
    const app = copyExampleApp();
    await run(["new", "hubspot", "--yes", "--target", app]);
    const human = await run(["list", "--target", app]);
    expect(human.stdout).toMatch(/hubspot\s+HubSpot/);
    expect(human.stdout).toContain(`Installed in ${app}`);
    const json = JSON.parse((await run(["list", "--target", app, "--json"])).stdout);
    expect(json.installed).toEqual([{ id: "hubspot", displayName: "HubSpot", templateSet: "basic", files: expect.any(Number) }]);
    expect(json.presets.find((p: { id: string }) => p.id === "google-analytics")).toMatchObject({ pkce: true });
  });
});

describe("--discover", () => {
  let mock: OAuth2Server;
  let issuer: string;
  let other: Server;
  let otherUrl: string;
  const routes = new Map<string, { status: number; body: string; hang?: boolean }>();

  beforeAll(async () => {
    mock = new OAuth2Server();
    await mock.issuer.keys.generate("RS256");
    await mock.start(0, "127.0.0.1");
    issuer = `http://127.0.0.1:${(mock.address() as AddressInfo).port}`;
    mock.issuer.url = issuer;
    other = createServer((req, res) => {
      const route = routes.get(req.url ?? "");
      if (route?.hang) return; // never answers
      res.writeHead(route?.status ?? 404, { "Content-Type": "application/json" });
      res.end(route?.body ?? "{}");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await mock.stop();
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
  });

  const rest = ["--name", "Acme", "--api-base-url", "https://api.acme.example", "--scopes", "openid read", "--sync-path", "/items", "--yes"];

  it("fills endpoints, PKCE and the issuer from the mock server's discovery document", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "acme", "--discover", issuer, ...rest, "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.acme.spec;
    expect(spec).toMatchObject({
      issuer,
      authorizationUrl: `${issuer}/authorize`,
      tokenUrl: `${issuer}/token`,
      userinfoUrl: `${issuer}/userinfo`,
      revocationUrl: `${issuer}/revoke`,
      pkce: true,
    });
  });

  it("lets flags override what discovery found", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "acme", "--discover", issuer, ...rest, "--token-url", "https://override.example/token", "--target", app]);
    expect(result.exitCode).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.acme.spec;
    expect(spec.tokenUrl).toBe("https://override.example/token");
  });

  it("falls back to RFC 8414 metadata", async () => {
    routes.set("/.well-known/oauth-authorization-server/tenant", {
      status: 200,
      body: JSON.stringify({
        issuer: `${otherUrl}/tenant`,
        authorization_endpoint: `${otherUrl}/tenant/auth`,
        token_endpoint: `${otherUrl}/tenant/token`,
        code_challenge_methods_supported: ["S256"],
      }),
    });
    const app = copyExampleApp();
    const result = await run(["new", "acme", "--discover", `${otherUrl}/tenant`, ...rest, "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.acme.spec;
    expect(spec).toMatchObject({ tokenUrl: `${otherUrl}/tenant/token`, pkce: true, tokenEndpointAuthMethod: "client_secret_basic" });
  });

  // A port that was just listened on and closed: the connection is refused (fetch itself refuses "bad ports" such as 9).
  let closedUrl = "";
  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });
  const failures: [string, () => string, RegExp, number][] = [
    // Not reachable: not bad input (exit 1), with the system's cause and the way round discovery.
    ["a refused connection", () => closedUrl, /could not be fetched: ECONNREFUSED: nothing listens there .*without discovery, give the endpoints: --auth-url <url> --token-url <url>/, 1],
    ["a host name that does not resolve", () => "https://issuer.nexus-integrate.invalid", /could not be fetched: ENOTFOUND: the host name does not resolve/, 1],
    ["no discovery document", () => `${otherUrl}/nothing`, /no discovery document/, 2],
    ["an issuer mismatch", () => `${otherUrl}/liar`, /names issuer "https:\/\/someone-else\.example"/, 2],
    ["a response that is not JSON", () => `${otherUrl}/html`, /did not return JSON/, 2],
    ["a missing token endpoint", () => `${otherUrl}/partial`, /has no token_endpoint/, 2],
    ["a timeout", () => `${otherUrl}/slow`, /did not answer within 300 ms.*--auth-url/, 1],
    ["a non-https issuer", () => "http://auth.example.com", /must use https/, 2],
  ];

  it.each(failures)("%s: a clear message, exit %s (1 when the issuer cannot be reached), nothing written", async (_name, issuerUrl, message, exitCode) => {
    routes.set("/liar/.well-known/openid-configuration", {
      status: 200,
      body: JSON.stringify({ issuer: "https://someone-else.example", authorization_endpoint: "https://x.example/a", token_endpoint: "https://x.example/t" }),
    });
    routes.set("/html/.well-known/openid-configuration", { status: 200, body: "<html>hello</html>" });
    routes.set("/partial/.well-known/openid-configuration", {
      status: 200,
      body: JSON.stringify({ issuer: `${otherUrl}/partial`, authorization_endpoint: `${otherUrl}/partial/auth` }),
    });
    routes.set("/slow/.well-known/openid-configuration", { status: 200, body: "", hang: true });
    const app = copyExampleApp();
    const before = snapshotTree(app);
    const result = await run(["new", "acme", "--discover", issuerUrl(), ...rest, "--target", app], {
      NEXUS_INTEGRATE_DISCOVERY_TIMEOUT_MS: "300",
    });
    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("--discover");
    expect(snapshotTree(app)).toEqual(before);
  });
});

describe("--discover at a terminal, and --timeout", () => {
  let hanging: Server;
  let url: string;
  beforeAll(async () => {
    hanging = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it("--timeout bounds the wait (exit 1, naming it); without a terminal no status line is printed", async () => {
    const app = copyExampleApp();
    const started = Date.now();
    const result = await run(["new", "acme", "--discover", url, "--timeout", "1", "--yes", "--target", app]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("did not answer within 1000 ms");
    expect(result.stderr).not.toContain("Discovering");
    expect(Date.now() - started).toBeLessThan(8000);
    const invalid = await run(["new", "acme", "--discover", url, "--timeout", "soon", "--yes", "--target", app]);
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain('--timeout: "soon" must be a number of seconds');
  });

  it("shows a status line while the issuer is slow, at a terminal", async () => {
    const app = copyExampleApp();
    const result = await ptySession(["new", "acme", "--discover", url, "--timeout", "1.5", "--target", app], []);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`Discovering ${url} (OpenID / RFC 8414 metadata)…`);
    expect(result.output).toContain("did not answer within 1500 ms");
  });
});

describe("preset variables", () => {
  it("microsoft's tenant goes into its endpoints (default common)", async () => {
    const app = copyExampleApp();
    const result = await run(["new", "microsoft", "--var", "tenant=contoso.onmicrosoft.com", "--yes", "--target", app]);
    expect(result.exitCode, result.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.microsoft.spec;
    expect(spec.authorizationUrl).toBe("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
    const other = copyExampleApp();
    await run(["new", "microsoft", "--yes", "--target", other]);
    const defaults = JSON.parse(readFileSync(path.join(other, "nexus-integrate.lock.json"), "utf8")).integrations.microsoft.spec;
    expect(defaults.tokenUrl).toBe("https://login.microsoftonline.com/common/oauth2/v2.0/token");
  });

  it("salesforce's login domain is login or test", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "salesforce", "--var", "domain=test", "--yes", "--target", app])).exitCode).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(app, "nexus-integrate.lock.json"), "utf8")).integrations.salesforce.spec;
    expect(spec.tokenUrl).toBe("https://test.salesforce.com/services/oauth2/token");
  });

  it.each([
    [["microsoft", "--var", "tenant=bad/tenant"], /--var tenant: "bad\/tenant" does not match/],
    [["microsoft", "--var", "region=eu"], /--var region: preset "microsoft" has no variable "region"/],
    [["acme", "--var", "x=y"], /--var: variables belong to a preset/],
  ])("%j is exit 2", async (args, message) => {
    const app = copyExampleApp();
    const result = await run(["new", ...args, "--yes", "--target", app]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
