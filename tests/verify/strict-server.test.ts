import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { ResultPromise } from "execa";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";
import { callFunction, decryptStored, generatedAuthUrl, launchGateway, USER_A } from "../helpers/oauth-stack.js";
import { createSupabaseDatabase, dbPush, type TestDb } from "../helpers/postgres.js";

/**
 * The OAuth core against a strict, OpenID Certified authorization server (oidc-provider), configured the way
 * Keycloak, Okta and Entra are: an issuer with a path (/realms/nexus), RFC 9207 `iss` in every authorization
 * response, PKCE S256 required, redirect URIs matched exactly, refresh tokens rotated with reuse detection (a
 * spent refresh token used again revokes the grant), and offline_access granted only with prompt=consent (OIDC
 * Core §11). The integration is described by flags, as a custom provider is (`--issuer`).
 */
const CLIENT_ID = "strict-client";
const CLIENT_SECRET = "strict-secret-0123456789abcdef";
const REALM = "/realms/nexus";
const REDIRECT = (id: string) => `http://localhost:5173/integrations/${id}/callback`;

let server: Server;
let api: Server;
let origin = "";
let issuer = "";
let provider: Provider;
let app: string;
let db: TestDb;
let gateway: { url: string; process: ResultPromise };
let notes: string[] = [];

function listen(s: Server): Promise<string> {
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  server = createServer();
  origin = await listen(server);
  issuer = `${origin}${REALM}`;
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT("strict"), REDIRECT("strict-origin-issuer")],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...jwk, kid: "strict", alg: "RS256", use: "sig" }] },
    pkce: { required: () => true, methods: ["S256"] },
    rotateRefreshToken: true,
    features: { revocation: { enabled: true }, devInteractions: { enabled: false } },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["strict-cookie-key"] },
    ttl: { AccessToken: 3600, RefreshToken: 86_400, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 86_400, AuthorizationCode: 60 },
    renderError: (ctx, out) => {
      ctx.type = "text";
      ctx.body = `${out.error}: ${out.error_description}`;
    },
  });
  const callback = provider.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.url?.startsWith("/interaction/")) {
        // The user signs in and consents to what is asked.
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === "login") {
          await provider.interactionFinished(req, res, { login: { accountId: "user-1" } }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: "user-1", clientId: CLIENT_ID });
        const missing = details.prompt.details as { missingOIDCScope?: string[] };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.url?.startsWith(REALM)) {
        // Mounted under the issuer's path, as a realm is.
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
        req.url = req.url.slice(REALM.length) || "/";
        callback(req, res);
        return;
      }
      res.writeHead(404);
      res.end();
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });

  // The provider's API: answers for tokens the server's userinfo still accepts.
  api = createServer((req, res) => {
    void fetch(`${issuer}/me`, { headers: { Authorization: req.headers.authorization ?? "" } }).then((me) => {
      res.writeHead(me.ok ? 200 : 401, { "Content-Type": "application/json" });
      res.end(JSON.stringify(me.ok ? { items: [{ id: "a" }, { id: "b" }] } : { error: "invalid_token" }));
    });
  });
  const apiUrl = await listen(api);

  app = copyExampleApp();
  const flags = {
    name: "Strict Realm",
    authUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    userinfoUrl: `${issuer}/me`,
    revocationUrl: `${issuer}/token/revocation`,
    apiBaseUrl: apiUrl,
    scopes: "openid offline_access",
    syncPath: "/items",
    itemsField: "items",
    tokenAuthMethod: "client_secret_basic",
  };
  const report = await generate(app, "strict", { ...flags, issuer, pascalName: "Strict" });
  notes = report.notes ?? [];
  // The same provider without --issuer: its issuer is taken to be the auth URL's origin.
  await generate(app, "strict-origin-issuer", { ...flags, pascalName: "StrictOriginIssuer" });

  db = await createSupabaseDatabase();
  await db.query("insert into auth.users (id, email) values ($1, 'a@example.com')", [USER_A]);
  await dbPush(app, db);
  const env: Record<string, string> = { SUPABASE_DB_URL: db.url };
  for (const id of ["STRICT", "STRICT_ORIGIN_ISSUER"]) {
    env[`${id}_CLIENT_ID`] = CLIENT_ID;
    env[`${id}_CLIENT_SECRET`] = CLIENT_SECRET;
  }
  gateway = await launchGateway({
    functionsDir: path.join(app, "supabase", "functions"),
    functions: ["strict-exchange-tokens", "strict-sync", "strict-origin-issuer-exchange-tokens"],
    keys: "legacy",
    env,
  });
}, 300_000);

afterAll(async () => {
  gateway?.process.kill("SIGTERM");
  await gateway?.process.catch(() => undefined);
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => api?.close(resolve));
  await db?.close();
});

const call = (fn: string, body: unknown) => callFunction(gateway.url, "legacy", fn, USER_A, body);

/** A browser: follows redirects by hand, keeping the server's cookies, until the app's callback. */
async function browse(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hops = 0; hops < 12; hops++) {
    const response = await fetch(next, { redirect: "manual", headers: { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`stopped at ${next}: ${response.status} ${await response.text()}`);
    const target = new URL(location, next);
    if (target.origin === "http://localhost:5173") return target;
    next = target.toString();
  }
  throw new Error("too many redirects");
}

async function authorize(id: string, pascal: string, redirectUri = REDIRECT(id)) {
  const started = await call(`${id}-exchange-tokens`, { action: "start", redirectUri });
  expect(started.status, started.text).toBe(200);
  return generatedAuthUrl(app, { id, pascal }, CLIENT_ID, started.body);
}

async function storedTokens(id: string) {
  const { rows } = await db.query<{ access_token: string; refresh_token: string | null }>(
    "select access_token, refresh_token from nexus_integrate.oauth_tokens where user_id = $1 and provider = $2",
    [USER_A, id],
  );
  return {
    access: await decryptStored(rows[0]!.access_token, `${id}:${USER_A}:access_token`),
    refresh: rows[0]!.refresh_token ? await decryptStored(rows[0]!.refresh_token, `${id}:${USER_A}:refresh_token`) : null,
  };
}

async function lastFailure() {
  const { rows } = await db.query<{ details: Record<string, unknown> }>(
    "select details from public.nexus_integration_events where user_id = $1 and event_type = 'oauth_failed' order by id desc limit 1",
    [USER_A],
  );
  return rows[0]?.details;
}

describe("a strict authorization server with an issuer path (oidc-provider)", () => {
  it("new adds prompt=consent for offline_access and says so", () => {
    expect(notes.join("\n")).toContain("Added prompt=consent");
  });

  it("refuses a redirect URI that is not registered exactly, before any sign-in", async () => {
    const url = await authorize("strict", "Strict", "http://127.0.0.1:5173/integrations/strict/callback");
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("redirect_uri did not match any of the client");
  });

  it("connects: RFC 9207 iss checked against the issuer with its path, PKCE, a refresh token thanks to prompt=consent", async () => {
    const url = new URL(await authorize("strict", "Strict"));
    expect(url.searchParams.get("prompt")).toBe("consent");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const callback = await browse(url.toString());
    expect(callback.searchParams.get("iss")).toBe(issuer);
    const res = await call("strict-exchange-tokens", { action: "exchange", callback: callback.search });
    expect(res.status, res.text).toBe(200);
    const tokens = await storedTokens("strict");
    expect(tokens.refresh).toBeTruthy();
  });

  it("an authorization response whose iss is another issuer is refused", async () => {
    const callback = await browse(await authorize("strict", "Strict"));
    callback.searchParams.set("iss", origin);
    const res = await call("strict-exchange-tokens", { action: "exchange", callback: callback.search });
    expect(res.status, res.text).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: "invalid_callback", detail: expect.stringContaining('"iss"') });
  });

  it("without --issuer (issuer taken as the auth URL's origin) every connect fails on iss", async () => {
    const callback = await browse(await authorize("strict-origin-issuer", "StrictOriginIssuer"));
    const res = await call("strict-origin-issuer-exchange-tokens", { action: "exchange", callback: callback.search });
    expect(res.status, res.text).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: "invalid_callback", detail: expect.stringContaining('"iss"') });
  });

  it("a code redeemed without its PKCE verifier is refused", async () => {
    const callback = await browse(await authorize("strict", "Strict"));
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT("strict") }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("refresh rotates the refresh token; reusing the spent one revokes the grant, and the next sync asks to reconnect", async () => {
    const expireSoon = () =>
      db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1 and provider = 'strict'", [USER_A]);
    const before = await storedTokens("strict");
    await expireSoon();
    const synced = await call("strict-sync", {});
    expect(synced.status, synced.text).toBe(200);
    expect(synced.body.synced).toBe(2);
    const after = await storedTokens("strict");
    expect(after.refresh).not.toBe(before.refresh);
    expect(after.access).not.toBe(before.access);

    // Someone replays the spent refresh token: the server revokes the whole grant.
    const replay = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: before.refresh! }),
    });
    expect(replay.status).toBe(400);
    await expireSoon();
    const res = await call("strict-sync", {});
    expect(res.status, res.text).toBe(409);
    expect(res.body.error).toBe("needs_reauth");
  });
});
