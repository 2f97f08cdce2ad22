import { execa, type ResultPromise } from "execa";
import { createHash, randomBytes, webcrypto } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { OAuth2Server } from "oauth2-mock-server";
import { DENO, denoEnv } from "./deno.js";
import { runInit } from "../../src/commands/init.js";
import { linkAppDeps } from "./app-deps.js";
import { copyExampleApp, copyLovableApp, copyPlaybookApp, copyShadcnApp, copyTanstackApp, ENV_OPTIONAL_CLIENT, TANSTACK_APP } from "./fixtures.js";
import { adopt, generate } from "./generate.js";
import { JWKS, JWT_SECRET, userJwtFor, type KeyScheme } from "./jwt.js";
import { REPO_ROOT } from "./paths.js";
import { createSupabaseDatabase, dbPush, type TestDb } from "./postgres.js";

/**
 * Everything the generated functions talk to, on 127.0.0.1: PostgreSQL (a database of the test run's server,
 * its migrations applied by `supabase db push`, so two function invocations are two real connections), the
 * provider (oauth2-mock-server), the provider's data API (a scripted HTTP server) and Supabase's gateway
 * and auth endpoint (a Deno stand-in that runs the generated index.ts files unchanged).
 */
export const USER_A = "00000000-0000-4000-8000-0000000000aa";
export const USER_B = "00000000-0000-4000-8000-0000000000bb";
export const CLIENT_ID = "nexus-test-client";
export const CLIENT_SECRET = randomBytes(16).toString("hex");
export const ENCRYPTION_KEY = randomBytes(32).toString("base64");
export const STATE_KEY = randomBytes(32).toString("base64");
export const WEBHOOK_SECRET = randomBytes(24).toString("hex");

export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  text: string;
}

export interface Stack {
  app: string;
  id: string;
  db: TestDb;
  mock: OAuth2Server;
  issuer: string;
  gatewayUrl: string;
  /** Access and refresh tokens the provider issued, in order. */
  issued: { accessToken: string; refreshToken: string | undefined; grant: string }[];
  /** Authorization codes the provider issued and not yet redeemed. */
  codes: Set<string>;
  /** The next token-endpoint answers to force (e.g. invalid_grant), by grant type. */
  forceTokenError: Map<string, string>;
  /** Refresh tokens already redeemed (the provider rotates them). */
  spentRefreshTokens: Set<string>;
  /** Revocation requests the provider received. */
  revoked: string[];
  /** Scripted answers of the data API; when empty it answers with `apiItems`. */
  apiQueue: ApiReply[];
  apiItems: unknown[];
  apiRequests: { path: string; authorization: string | undefined }[];
  /** How long the token endpoint takes to answer (0: at once). */
  tokenDelayMs: number;
  /** Requests the token endpoint has received (counted on arrival, before any delay). */
  tokenCalls: number;
  /** How long the data API takes to answer (0: at once). */
  apiDelayMs: number;
  call(fn: string, userId: string | null, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  /** The same call, served by a second instance of the functions (another process with its own connection). */
  callOtherInstance(fn: string, userId: string | null, body?: unknown): Promise<CallResult>;
  /**
   * Another instance of the functions with some secrets changed, as after `supabase secrets set` and a redeploy
   * ("" unsets one): a caller of that instance.
   */
  instanceWith(
    env: Record<string, string>,
  ): Promise<(fn: string, userId: string | null, body?: unknown, headers?: Record<string, string>) => Promise<CallResult>>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

export async function startStack(options: {
  preset: string | undefined;
  flags?: Record<string, unknown>;
  /** Extra fields the provider adds to authorization-code token responses (Salesforce: instance_url). */
  tokenExtras?: (apiUrl: string) => Record<string, string>;
  /** Extra parameters the provider adds to its redirect back (QuickBooks: realmId). */
  callbackExtras?: Record<string, string>;
  /**
   * The Supabase project's keys. legacy: anon key and HS256 user JWTs; asymmetric: only the new key variables
   * (publishable/secret keys) and user JWTs signed with an ES256 key published as a JWKS.
   */
  keys?: KeyScheme;
  /**
   * The app to generate into: our example app, or the playbook fixture (a repo built by hand from the
   * playbook: `init` first, and its own migration and seed rows applied before ours).
   */
  app?: "example" | "playbook" | "shadcn" | "tanstack" | "lovable";
  /** Replace the app's client with an env-optional one (null without VITE_SUPABASE_URL and its key) before init. */
  envOptionalClient?: boolean;
  /**
   * Adopt the playbook fixture's hand-written integration instead of generating one: its migrations and seed are
   * pushed first, `prepare` shapes its rows (the playbook's plaintext tokens), then `adopt` runs and its
   * migrations are pushed.
   */
  adopt?: { prepare?: (db: TestDb) => Promise<void> };
  /** More function secrets (NEXUS_PROVIDER_TIMEOUT_SECONDS, say). */
  env?: Record<string, string>;
}): Promise<Stack> {
  const keys = options.keys ?? "legacy";
  const stack = {
    issued: [],
    codes: new Set<string>(),
    forceTokenError: new Map<string, string>(),
    spentRefreshTokens: new Set<string>(),
    revoked: [],
    apiQueue: [],
    apiItems: [],
    apiRequests: [],
    tokenDelayMs: 0,
    tokenCalls: 0,
    apiDelayMs: 0,
  } as unknown as Stack;

  // The provider.
  const mock = new OAuth2Server();
  await mock.issuer.keys.generate("RS256");
  await mock.start(0, "127.0.0.1");
  const issuer = `http://127.0.0.1:${(mock.address() as AddressInfo).port}`;
  mock.issuer.url = issuer;
  let apiUrl = "";
  mock.service.on("beforeAuthorizeRedirect", (redirect: { url: URL }) => {
    const code = redirect.url.searchParams.get("code");
    if (code) stack.codes.add(code);
    for (const [name, value] of Object.entries(options.callbackExtras ?? {})) redirect.url.searchParams.set(name, value);
  });
  mock.service.on("beforeResponse", (response: { body: Record<string, unknown>; statusCode: number }, req: IncomingMessage & { body: Record<string, string> }) => {
    const grant = req.body.grant_type ?? "";
    const forced = stack.forceTokenError.get(grant);
    if (forced) {
      stack.forceTokenError.delete(grant);
      response.statusCode = 400;
      response.body = { error: forced };
      return;
    }
    if (grant === "refresh_token") {
      // Like providers that rotate refresh tokens: each one works once.
      const used = req.body.refresh_token ?? "";
      if (stack.spentRefreshTokens.has(used)) {
        response.statusCode = 400;
        response.body = { error: "invalid_grant", error_description: "refresh token already used" };
        return;
      }
      stack.spentRefreshTokens.add(used);
    }
    if (grant === "authorization_code") {
      // A real provider redeems each code it issued once; the mock accepts any code otherwise.
      if (!stack.codes.delete(req.body.code ?? "")) {
        response.statusCode = 400;
        response.body = { error: "invalid_grant", error_description: "unknown or used authorization code" };
        return;
      }
    }
    if (grant === "authorization_code") Object.assign(response.body, options.tokenExtras?.(apiUrl) ?? {});
    stack.issued.push({
      accessToken: String(response.body.access_token),
      refreshToken: response.body.refresh_token as string | undefined,
      grant,
    });
  });

  mock.service.on("beforeRevoke", (_response: unknown, req: IncomingMessage & { body?: Record<string, string> }) => {
    // The mock does not parse the revocation body; a call is what is recorded.
    stack.revoked.push(req.body?.token ?? `call ${stack.revoked.length + 1}`);
  });

  // The token endpoint the integration is generated against: the provider's, behind a pass-through that can
  // answer slowly (`tokenDelayMs`), as a loaded provider does, so tests can hold two refreshes in flight.
  const tokenProxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    stack.tokenCalls++;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, stack.tokenDelayMs));
        const headers: Record<string, string> = {};
        for (const name of ["content-type", "authorization", "accept"]) {
          const value = req.headers[name];
          if (typeof value === "string") headers[name] = value;
        }
        const upstream = await fetch(`${issuer}/token`, { method: req.method, headers, body: Buffer.concat(chunks) });
        res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })().catch((error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      });
    });
  });
  const tokenUrl = `http://127.0.0.1:${await listen(tokenProxy)}/token`;

  // The provider's data API.
  const api = createServer((req: IncomingMessage, res: ServerResponse) => {
    stack.apiRequests.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const reply = stack.apiQueue.shift() ?? { status: 200, body: { accountSummaries: stack.apiItems } };
    setTimeout(() => {
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    }, stack.apiDelayMs);
  });
  const apiPort = await listen(api);
  apiUrl = `http://127.0.0.1:${apiPort}`;

  // The app with the integration generated against these servers, and its database: the app's migrations as a
  // team deploys them (the playbook fixture's with its seed rows).
  const playbook = options.app === "playbook" || options.adopt !== undefined;
  const shadcn = options.app === "shadcn";
  const tanstack = options.app === "tanstack";
  const lovable = options.app === "lovable";
  const app = playbook ? copyPlaybookApp() : shadcn ? copyShadcnApp() : tanstack ? copyTanstackApp() : lovable ? copyLovableApp() : copyExampleApp();
  if (options.envOptionalClient) {
    writeFileSync(path.join(app, "src/lib/supabase.ts"), ENV_OPTIONAL_CLIENT);
  }
  // TanStack's route tree is written by the app's own generator when the routes are: its packages are there first.
  if (tanstack) linkAppDeps(app, TANSTACK_APP);
  const db = await createSupabaseDatabase();
  await db.query("insert into auth.users (id, email) values ($1, 'a@example.com'), ($2, 'b@example.com')", [USER_A, USER_B]);
  if (options.adopt) {
    // The hand-written integration has been live: its tables and rows exist before anything is adopted.
    await dbPush(app, db, { includeSeed: true });
    await options.adopt.prepare?.(db);
  }
  if (playbook || shadcn || tanstack || lovable) {
    const init = await runInit({ target: app, yes: true });
    if (init.exitCode !== 0) throw new Error(`init failed: ${JSON.stringify(init.report.error)}`);
  }
  const endpoints = {
    authUrl: `${issuer}/authorize`,
    tokenUrl,
    userinfoUrl: `${issuer}/userinfo`,
    revocationUrl: `${issuer}/revoke`,
    apiBaseUrl: `http://127.0.0.1:${apiPort}/v1beta`,
    ...options.flags,
  };
  const report = options.adopt ? await adopt(app, options.preset!, endpoints) : await generate(app, options.preset, endpoints);
  const id = report.integration!.id;
  if (playbook) {
    // Its supabase/config.toml never agreed to carry our blocks: do what the run says, paste the snippet.
    for (const op of report.ops.filter((o) => o.path === "supabase/config.toml" && o.snippets)) {
      appendFileSync(path.join(app, op.path), `\n${op.snippets!.join("\n\n")}\n`);
    }
  }
  const advanced = report.integration!.templateSet === "advanced";
  await dbPush(app, db, { includeSeed: playbook && !options.adopt });

  // Supabase's gateway with the generated functions: one process is one function instance (one isolate,
  // one database connection); a second instance starts when a test asks for it.
  const constant = id.replace(/-/g, "_").toUpperCase();
  const gateways: ResultPromise[] = [];
  const startGateway = async (changed: Record<string, string> = {}): Promise<string> => {
    const { url, process } = await launchGateway({
      functionsDir: path.join(app, "supabase", "functions"),
      functions: [`${id}-exchange-tokens`, `${id}-sync`, ...(advanced ? [`${id}-webhooks`] : [])],
      keys,
      env: {
        SUPABASE_DB_URL: db.url,
        [`${constant}_CLIENT_ID`]: CLIENT_ID,
        [`${constant}_CLIENT_SECRET`]: CLIENT_SECRET,
        [`${constant}_WEBHOOK_SECRET`]: WEBHOOK_SECRET,
        ...options.env,
        ...changed,
      },
    });
    gateways.push(process);
    return url;
  };
  const gatewayUrl = await startGateway();
  let secondUrl: Promise<string> | undefined;

  const callAt = (base: string, fn: string, userId: string | null, body?: unknown, extraHeaders: Record<string, string> = {}) =>
    callFunction(base, keys, fn, userId, body, extraHeaders);

  return Object.assign(stack, {
    app,
    id,
    db,
    mock,
    issuer,
    gatewayUrl,
    call: (fn: string, userId: string | null, body?: unknown, extraHeaders: Record<string, string> = {}) =>
      callAt(gatewayUrl, fn, userId, body, extraHeaders),
    async callOtherInstance(fn: string, userId: string | null, body?: unknown) {
      secondUrl ??= startGateway();
      return callAt(await secondUrl, fn, userId, body);
    },
    async instanceWith(env: Record<string, string>) {
      const url = await startGateway(env);
      return (fn: string, userId: string | null, body?: unknown, headers: Record<string, string> = {}) => callAt(url, fn, userId, body, headers);
    },
    async close() {
      for (const gateway of gateways) {
        gateway.kill("SIGTERM");
        await gateway.catch(() => undefined);
      }
      await mock.stop();
      await new Promise((resolve) => api.close(resolve));
      await new Promise((resolve) => tokenProxy.close(resolve));
      await db.close();
    },
  });
}

/**
 * The authorization URL the app's browser code builds: the generated `create<Pascal>AuthUrl` of the
 * integration's utils.ts, fed what the exchange function's `start` answered.
 */
export async function generatedAuthUrl(
  app: string,
  integration: { id: string; pascal: string },
  clientId: string,
  started: Record<string, unknown>,
): Promise<string> {
  const file = path.join(app, `src/services/integrations/${integration.id}/utils.ts`);
  const utils = (await import(pathToFileURL(file).href)) as Record<string, (params: object) => string>;
  return utils[`create${integration.pascal}AuthUrl`]!({
    clientId,
    redirectUri: started.redirectUri,
    state: started.state,
    codeChallenge: started.codeChallenge,
  });
}

/** Calls a function through the gateway as the app does (a user's JWT, the project's public key, the app's origin). */
export async function callFunction(
  base: string,
  keys: KeyScheme,
  fn: string,
  userId: string | null,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<CallResult> {
  const response = await fetch(`${base}/functions/v1/${fn}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      apikey: keys === "legacy" ? "anon-key" : "sb_publishable_test",
      ...(userId ? { Authorization: `Bearer ${userJwtFor(keys, userId)}` } : {}),
      Origin: "http://localhost:5173",
      ...extraHeaders,
    },
    body: typeof body === "string" ? body : JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: tests look at text
  }
  return { status: response.status, body: parsed, headers: response.headers, text };
}

/**
 * Starts the gateway stand-in (tests/helpers/gateway.deno.ts) serving these generated functions: one process is
 * one function instance (one isolate, one database connection per function). `env`: the functions' secrets.
 */
export async function launchGateway(options: {
  functionsDir: string;
  functions: string[];
  keys: KeyScheme;
  env: Record<string, string>;
}): Promise<{ url: string; process: ResultPromise }> {
  const gateway: ResultPromise = execa(
    DENO,
    [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--no-config",
      "--node-modules-dir=none",
      "--quiet",
      path.join(REPO_ROOT, "tests", "helpers", "gateway.deno.ts"),
      options.functionsDir,
      ...options.functions,
    ],
    {
      env: denoEnv({
        ...(options.keys === "legacy"
          ? { JWT_SECRET, SUPABASE_ANON_KEY: "anon-key" }
          : {
              JWKS: JSON.stringify(JWKS),
              SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: "sb_publishable_test" }),
              SUPABASE_SECRET_KEYS: JSON.stringify({ default: "sb_secret_test" }),
            }),
        NEXUS_TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
        NEXUS_STATE_SIGNING_KEY: STATE_KEY,
        ...options.env,
      }),
      reject: false,
      buffer: false,
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}\n${err}`)), 180_000);
    gateway.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const port = /READY (\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    });
    gateway.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (process.env.DEBUG_GATEWAY) process.stderr.write(chunk);
    });
    void gateway.then((result) => reject(new Error(`gateway exited (${result.exitCode}):\n${out}\n${err}`)));
  });
  return { url, process: gateway };
}

/** The id the generated crypto.ts derives for a key (base64): what its v2 ciphertext names. */
export function keyIdOf(key: string): string {
  return createHash("sha256").update("nexus-integrate key id:").update(Buffer.from(key, "base64")).digest("base64url").slice(0, 8);
}

/** Seals a value the way the generated crypto.ts does (AES-256-GCM, context as AAD): v2 names the key, v1 predates key rings. */
export async function sealStored(plaintext: string, context: string, options: { key?: string; version?: "v1" | "v2" } = {}): Promise<string> {
  const key = options.key ?? ENCRYPTION_KEY;
  const cryptoKey = await webcrypto.subtle.importKey("raw", Buffer.from(key, "base64"), "AES-GCM", false, ["encrypt"]);
  const iv = webcrypto.getRandomValues(new Uint8Array(12));
  const sealed = await webcrypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: Buffer.from(context) }, cryptoKey, Buffer.from(plaintext));
  const body = `${Buffer.from(iv).toString("base64url")}.${Buffer.from(sealed).toString("base64url")}`;
  return (options.version ?? "v2") === "v1" ? `v1.${body}` : `v2.${keyIdOf(key)}.${body}`;
}

/** Decrypts a stored value the way the generated crypto.ts does; a v2 value must name `key`. */
export async function decryptStored(value: string, context: string, key = ENCRYPTION_KEY): Promise<string> {
  const parts = value.split(".");
  const [iv, ciphertext] = parts[0] === "v2" && parts.length === 4 ? parts.slice(2) : parts[0] === "v1" && parts.length === 3 ? parts.slice(1) : [];
  if (!iv || !ciphertext) throw new Error(`not a v1 or v2 ciphertext: ${value}`);
  if (parts[0] === "v2" && parts[1] !== keyIdOf(key)) throw new Error(`sealed with key ${parts[1]}, not ${keyIdOf(key)}`);
  const cryptoKey = await webcrypto.subtle.importKey("raw", Buffer.from(key, "base64"), "AES-GCM", false, ["decrypt"]);
  const plain = await webcrypto.subtle.decrypt(
    { name: "AES-GCM", iv: Buffer.from(iv, "base64url"), additionalData: Buffer.from(context) },
    cryptoKey,
    Buffer.from(ciphertext, "base64url"),
  );
  return Buffer.from(plain).toString("utf8");
}
