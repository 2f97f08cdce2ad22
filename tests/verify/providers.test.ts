import { existsSync } from "node:fs";
import path from "node:path";
import type { ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPresetIds, loadPreset } from "../../src/spec/presets.js";
import { deriveNames } from "../../src/spec/names.js";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";
import { callFunction, decryptStored, generatedAuthUrl, launchGateway, USER_A, WEBHOOK_SECRET } from "../helpers/oauth-stack.js";
import { createSupabaseDatabase, dbPush, type TestDb } from "../helpers/postgres.js";
import { BEHAVIOURS, DOUBLE_CLIENT_ID, DOUBLE_CLIENT_SECRET, pointNextLinkAt, startDoubles, type Doubles } from "../helpers/provider-doubles.js";

/**
 * Every preset's generated integration, basic and advanced, walked against its provider double (one app with all
 * of them, one database, one gateway): connect → a refused code → sync → access-token expiry → refresh (or
 * needs_reauth where the provider has no refresh) → revoked grant → webhook handshake → signed, tampered and
 * replayed delivery → disconnect and revocation.
 */
const PRESETS = listPresetIds();
const REDIRECT = (id: string) => `http://localhost:5173/integrations/${id}/callback`;

interface Walked {
  id: string;
  preset: string;
  set: "basic" | "advanced";
  pascal: string;
  snake: string;
}

let doubles: Doubles;
let db: TestDb;
let app: string;
let gateway: { url: string; process: ResultPromise };
const integrations: Walked[] = [];

beforeAll(async () => {
  doubles = await startDoubles();
  app = copyExampleApp();
  for (const preset of PRESETS) {
    for (const set of ["basic", "advanced"] as const) {
      const id = set === "basic" ? preset : `${preset}-adv`;
      const pascal = `${loadPreset(preset).pascalName}${set === "basic" ? "" : "Adv"}`;
      await generate(app, id, { preset, template: set, pascalName: pascal, ...doubles.endpoints(preset) });
      integrations.push({ id, preset, set, pascal, snake: deriveNames(id, pascal).snake });
    }
  }
  db = await createSupabaseDatabase();
  await db.query("insert into auth.users (id, email) values ($1, 'a@example.com')", [USER_A]);
  await dbPush(app, db);
  const env: Record<string, string> = { SUPABASE_DB_URL: db.url };
  const functions: string[] = [];
  for (const { id } of integrations) {
    const constant = id.replace(/-/g, "_").toUpperCase();
    env[`${constant}_CLIENT_ID`] = DOUBLE_CLIENT_ID;
    env[`${constant}_CLIENT_SECRET`] = DOUBLE_CLIENT_SECRET;
    env[`${constant}_WEBHOOK_SECRET`] = WEBHOOK_SECRET;
    // The walk syncs one connection many times a second: above Notion's 3 a second (the budget has its own tests).
    env[`${constant}_RATE_LIMIT`] = "1000/1";
    functions.push(`${id}-exchange-tokens`, `${id}-sync`);
    if (existsSync(path.join(app, "supabase/functions", `${id}-webhooks`))) functions.push(`${id}-webhooks`);
  }
  gateway = await launchGateway({ functionsDir: path.join(app, "supabase", "functions"), functions, keys: "legacy", env });
}, 300_000);

afterAll(async () => {
  gateway?.process.kill("SIGTERM");
  await gateway?.process.catch(() => undefined);
  await doubles?.close();
  await db?.close();
});

const call = (fn: string, body: unknown) => callFunction(gateway.url, "legacy", fn, USER_A, body);

async function connection(id: string) {
  const { rows } = await db.query<{ status: string; config: { fields?: Record<string, string> } }>(
    "select status, config from public.nexus_user_integrations where user_id = $1 and integration_id = $2",
    [USER_A, id],
  );
  return rows[0];
}

/** The newest revocation outcome recorded for user A (schema step 008), or undefined. */
async function revocationEvent(id: string) {
  const { rows } = await db.query<{ id: number; event_type: string; details: Record<string, unknown> }>(
    `select id::int as id, event_type, details from public.nexus_integration_events
     where user_id = $1 and integration_id = $2 and event_type in ('grant_revoked', 'revocation_failed') order by id desc limit 1`,
    [USER_A, id],
  );
  return rows[0];
}

async function tokens(id: string) {
  const { rows } = await db.query<{ access_token: string; refresh_token: string | null }>(
    "select access_token, refresh_token from nexus_integrate.oauth_tokens where user_id = $1 and provider = $2",
    [USER_A, id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    access: await decryptStored(row.access_token, `${id}:${USER_A}:access_token`),
    refresh: row.refresh_token ? await decryptStored(row.refresh_token, `${id}:${USER_A}:refresh_token`) : null,
  };
}

async function events(id: string, type: string) {
  const { rows } = await db.query<{ details: Record<string, unknown> }>(
    "select details from public.nexus_integration_events where user_id = $1 and integration_id = $2 and event_type = $3 order by id",
    [USER_A, id, type],
  );
  return rows.map((r) => r.details);
}

/** What the browser does: start, follow the generated auth URL to the provider, come back with its redirect. */
async function authorize(w: Walked): Promise<string> {
  const started = await call(`${w.id}-exchange-tokens`, { action: "start", redirectUri: REDIRECT(w.id) });
  expect(started.status, started.text).toBe(200);
  const url = await generatedAuthUrl(app, w, DOUBLE_CLIENT_ID, started.body);
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status, await response.text()).toBe(302);
  return new URL(response.headers.get("location")!).search;
}

async function connect(w: Walked) {
  const callback = await authorize(w);
  const res = await call(`${w.id}-exchange-tokens`, { action: "exchange", callback });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ connected: true });
  return res;
}

async function sync(w: Walked) {
  return call(`${w.id}-sync`, {});
}

async function webhook(w: Walked, request: { method: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string }) {
  const url = new URL(`${gateway.url}/functions/v1/${w.id}-webhooks`);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const response = await fetch(url, { method: request.method, headers: request.headers ?? {}, ...(request.method === "GET" ? {} : { body: request.body ?? "" }) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function deliveries(w: Walked): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from nexus_integrate.${w.snake}_webhook_events`);
  return rows[0]!.n;
}

const walks = PRESETS.flatMap((preset) => (["basic", "advanced"] as const).map((set) => [preset, set] as const));

describe.each(walks)("%s (%s)", (preset, set) => {
  const behaviour = BEHAVIOURS[preset]!;
  const spec = loadPreset(preset);
  const w = () => integrations.find((i) => i.preset === preset && i.set === set)!;

  it("has a double built from the provider's documentation", () => {
    expect(behaviour.docs).toMatch(/^https:\/\//);
  });

  it("connects: the provider's client authentication, PKCE and token response; tokens stored encrypted", async () => {
    await connect(w());
    const grant = doubles.grantOf(w().id);
    const stored = (await tokens(w().id))!;
    expect(stored.access).toBe(grant.accessToken);
    expect(stored.refresh).toBe(grant.refreshToken);
    const row = (await connection(w().id))!;
    expect(row.status).toBe("connected");
    for (const field of spec.connectionFields ?? []) expect(row.config.fields?.[field], field).toBeTruthy();
    const authorizeRequest = doubles.requests.filter((r) => r.preset === preset && r.endpoint === "authorize").at(-1)!;
    const query = new URL(authorizeRequest.path, "http://x").searchParams;
    expect(query.has("scope")).toBe((spec.scopes ?? []).length > 0);
    expect(query.get("code_challenge_method")).toBe(spec.pkce ? "S256" : null);
  });

  it("refuses a code the provider rejects, in the provider's error shape", async () => {
    const callback = new URLSearchParams(await authorize(w()));
    callback.set("code", "spent-code");
    const res = await call(`${w().id}-exchange-tokens`, { action: "exchange", callback: `?${callback}` });
    expect(res.status, res.text).toBe(400);
    // The provider's RFC 6749 code; a code in the provider's own shape (spec.errors: Miro's oauthError, a dead grant,
    // reads as invalid_grant); a refusal in a shape the spec does not describe (Intercom's 401 error.list) is
    // reported as exchange_failed.
    const body = behaviour.badCode?.body as Record<string, unknown> | undefined;
    // (a numeric code, Pinterest's 283, reads as its digits)
    const raw = spec.errors ? body?.[spec.errors.codeField ?? "error"] : undefined;
    const own = typeof raw === "number" ? String(raw) : raw;
    const expected = !behaviour.badCode
      ? "invalid_grant"
      : typeof own === "string"
        ? (spec.errors?.reauth ?? []).includes(own) ? "invalid_grant" : own
        : typeof body?.error === "string"
          ? body.error
          : "exchange_failed";
    expect((await events(w().id, "oauth_failed")).at(-1)).toMatchObject({ providerError: expected });
  });

  it(`syncs the listed API's records${spec.sync!.pagination ? `, following its pages (${spec.sync!.pagination.style})` : ""}`, async () => {
    const calls = () => doubles.requests.filter((r) => r.preset === preset && (r.endpoint === "api" || r.endpoint === "instance"));
    const before = calls().length;
    const res = await sync(w());
    expect(res.status, res.text).toBe(200);
    const expected = preset === "linkedin" ? 1 : 3;
    expect(res.body.synced).toBe(expected);
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from public.${w().snake}_records where user_id = $1`, [USER_A]);
    expect(rows[0]!.n).toBe(expected);
    const made = calls().slice(before);
    const fields = (await connection(w().id))!.config.fields ?? {};
    // {now-30d} and the like are times relative to the run (Graph's calendarView window): ISO 8601 in the request.
    const expectedPath = spec.sync!.path!.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(fields[name]!));
    const relative = /\{now[+-]\d+d\}/g;
    expect(made[0]!.path).toMatch(new RegExp(`^${expectedPath.split(relative).map((part) => part.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&")).join("\\d{4}-\\d\\d-\\d\\dT\\d\\d%3A\\d\\d%3A\\d\\dZ")}$`));
    // three items, two a page where the API pages
    // (offset and page listings without a total read on to an empty page: one request more)
    const pagination = spec.sync!.pagination as { style: string; totalField?: string | null; pageCountField?: string | null } | null | undefined;
    const readsToEmpty = (pagination?.style === "offset" && !pagination.totalField) || (pagination?.style === "page" && !pagination.pageCountField);
    expect(made).toHaveLength(pagination ? (readsToEmpty ? 3 : 2) : 1);
    // A per-connection API base (from the token response or the userinfo answer) is where the sync went.
    if (spec.sync!.baseUrlField) expect(made.map((r) => r.endpoint)).toEqual(made.map(() => "instance"));
  });

  // A time parameter in the provider's format (GitLab's ISO 8601, ClickUp's Unix milliseconds): the next run asks
  // only for what changed since the last one started.
  if (behaviour.changes?.style === "since") {
    const changes = behaviour.changes;
    it(`the next run lists only what changed: ${changes.param} in ${changes.format ?? "ISO 8601"}`, async () => {
      const grant = doubles.grantOf(w().id);
      grant.changed = new Map([[2, Date.now()]]);
      const calls = () => doubles.requests.filter((r) => r.preset === preset && (r.endpoint === "api" || r.endpoint === "instance"));
      const before = calls().length;
      try {
        const res = await sync(w());
        expect(res.status, res.text).toBe(200);
        expect(res.body.synced).toBe(1);
        const value = new URL(calls()[before]!.path, "http://x").searchParams.get(changes.param);
        const format = changes.format === "epoch-ms" ? /^\d{13}$/ : changes.format === "epoch" ? /^\d{10}$/ : /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
        expect(value).toMatch(format);
      } finally {
        grant.changed = undefined;
        await db.query("update nexus_integrate.sync_jobs set cursor = null where provider = $1", [w().id]);
      }
    });
  }

  // Microsoft's next page is a URL in the body (@odata.nextLink), GitHub's a Link header: each has its own check.
  if (preset === "microsoft" || preset === "github") {
    it(`never follows a next page on another origin (the access token would go with it): ${spec.sync!.pagination!.style}`, async () => {
      pointNextLinkAt("http://127.0.0.2:9");
      // A full listing (not the delta round or the since listing the last sync's cursor would start).
      await db.query("update nexus_integrate.sync_jobs set cursor = null where provider = $1", [w().id]);
      try {
        const res = await sync(w());
        expect(res.status, res.text).toBe(200);
        expect(res.body.synced).toBe(2);
        if (preset !== "microsoft") return;
        // nor is a delta link on another origin kept for the next run (a listing of one page carries it)
        await db.query("update nexus_integrate.sync_jobs set cursor = null where provider = $1", [w().id]);
        doubles.items.set(w().id, 2);
        const full = await sync(w()).finally(() => doubles.items.delete(w().id));
        expect(full.status, full.text).toBe(200);
        expect(full.body.synced).toBe(2);
        const { rows } = await db.query<{ cursor: unknown }>("select cursor from nexus_integrate.sync_jobs where provider = $1", [w().id]);
        expect(rows[0]!.cursor).toBeNull();
      } finally {
        pointNextLinkAt(null);
      }
    });
  }

  it("the records of every page are stored", async () => {
    const { rows } = await db.query<{ external_id: string }>(`select external_id from public.${w().snake}_records where user_id = $1 order by external_id`, [USER_A]);
    const expected = preset === "linkedin" ? 1 : 3;
    expect(new Set(rows.map((r) => r.external_id)).size).toBe(expected);
  });

  if (behaviour.rateLimit) {
    it("a long rate limit in the provider's shape: 429 rate_limited with its wait, at once", async () => {
      doubles.rateLimitOnce(w().id);
      const res = await sync(w());
      expect(res.status, res.text).toBe(429);
      expect(res.body.error).toBe("rate_limited");
      expect(res.body.retryAfterSeconds).toBeGreaterThanOrEqual(60);
      // The wait is the provider's: its Retry-After, or the reset time its headers name (an hour from now here).
      const headers = Object.fromEntries(Object.entries(behaviour.rateLimit!.reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
      // X-RateLimit-Reset below 10^9 is seconds from now (Calendly's), above it an epoch second (an hour ahead here).
      const reset = Number(headers["x-ratelimit-reset"]);
      // (Help Scout names the wait X-RateLimit-Retry-After)
      const retryAfter = headers["retry-after"] ?? headers["x-ratelimit-retry-after"];
      const named = retryAfter !== undefined ? Number(retryAfter) : reset > 0 && reset < 1e9 ? reset : 3600;
      expect(res.body.retryAfterSeconds).toBeGreaterThan(named - 10);
      expect(res.body.retryAfterSeconds).toBeLessThanOrEqual(named);
      expect(Number(res.headers.get("retry-after"))).toBe(res.body.retryAfterSeconds);
      expect((await events(w().id, "sync_failed")).at(-1)).toMatchObject({ retryAfterSeconds: res.body.retryAfterSeconds });
      // Paused until the provider's time: a click now sends it nothing and answers with the time left.
      const calls = doubles.requests.length;
      const paused = await sync(w());
      expect(paused.status, paused.text).toBe(429);
      expect(paused.body.retryAfterSeconds).toBeGreaterThan(Number(res.body.retryAfterSeconds) - 5);
      expect(doubles.requests.length).toBe(calls);
      // Once that time has come, the job runs again.
      await db.query("update nexus_integrate.request_budgets set paused_until = now()");
      await db.query("update nexus_integrate.sync_jobs set run_after = null");
      expect((await sync(w())).status).toBe(200);
    });
  }

  it(`after the access token expires: ${behaviour.refresh === "none" ? "needs_reauth (no refresh token)" : `refreshes (${behaviour.refresh} refresh tokens) and syncs`}`, async () => {
    const grant = doubles.grantOf(w().id);
    const before = { refreshes: grant.refreshes, refreshToken: grant.refreshToken };
    grant.accessExpired = true;
    if (behaviour.expiresIn !== null) {
      // The function refreshes tokens that expire within 5 minutes, before calling the API.
      await db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1 and provider = $2", [USER_A, w().id]);
    }
    const res = await sync(w());
    if (behaviour.refresh === "none") {
      expect(res.status, res.text).toBe(409);
      expect(res.body.error).toBe("needs_reauth");
      expect((await connection(w().id))!.status).toBe("needs_reauth");
      await connect(w());
      return;
    }
    expect(res.status, res.text).toBe(200);
    expect(grant.refreshes).toBe(before.refreshes + 1);
    const stored = (await tokens(w().id))!;
    expect(stored.access).toBe(grant.accessToken);
    // a rotated refresh token is kept; a stable one stays
    expect(stored.refresh).toBe(grant.refreshToken);
    expect(grant.refreshToken === before.refreshToken).toBe(behaviour.refresh === "stable");
    expect((await events(w().id, "token_refreshed")).at(-1)).toEqual({ rotated: behaviour.refresh === "rotating" });
  });

  it("after the user revokes the app: the provider's dead-token answer ends in needs_reauth", async () => {
    doubles.grantOf(w().id).revoked = true;
    const res = await sync(w());
    expect(res.status, res.text).toBe(409);
    expect(res.body.error).toBe("needs_reauth");
    expect((await connection(w().id))!.status).toBe("needs_reauth");
    if (behaviour.refresh !== "none") expect((await events(w().id, "token_refresh_failed")).at(-1)).toEqual({ error: "invalid_grant" });
    // and the user can connect again
    await connect(w());
    expect((await sync(w())).status).toBe(200);
  });

  const receives = set === "advanced" && spec.webhooks !== null && spec.webhooks !== undefined;
  it(receives ? `webhooks: ${spec.webhooks!.scheme} handshake, signed delivery, tampered, replay` : "has no webhook receiver", async () => {
    if (!receives) {
      expect(existsSync(path.join(app, "supabase/functions", `${w().id}-webhooks`))).toBe(false);
      const { rows } = await db.query("select 1 from pg_tables where schemaname = 'nexus_integrate' and tablename = $1", [`${w().snake}_webhook_events`]);
      expect(rows).toEqual([]);
      return;
    }
    const double = behaviour.webhook!;
    const secret = WEBHOOK_SECRET;
    const url = `${gateway.url}/functions/v1/${w().id}-webhooks`;
    const stored = await deliveries(w());
    if (double.handshake) {
      const handshake = double.handshake(secret);
      handshake.expect(await webhook(w(), handshake));
      if (handshake.refusedWith) {
        const forged = await webhook(w(), { ...handshake, headers: double.sign(handshake.body ?? "", "not-the-secret", url).headers });
        expect(forged.status).toBe(handshake.refusedWith.status);
        if (handshake.refusedWith.empty) expect(forged.text).toBe("");
      }
      expect(await deliveries(w())).toBe(stored); // a handshake is not a delivery
    }
    const body = double.event(1).replace("__SECRET__", secret);
    const delivery = double.sign(body, secret, url);
    const accepted = await webhook(w(), delivery);
    expect(accepted.status, accepted.text).toBe(double.acceptedStatus);
    expect(await deliveries(w())).toBe(stored + 1);

    const tamperedBody = preset === "microsoft" ? body.replace(secret, "guessed") : body.replace(/\d/, "9");
    const tampered = await webhook(w(), { ...delivery, body: tamperedBody === body ? `${body} ` : tamperedBody });
    expect(tampered.status, tampered.text).toBe(401);
    if (double.emptyRejection) expect(tampered.text).toBe("");
    const wrongSecret = await webhook(w(), double.sign(double.event(2).replace("__SECRET__", "not-the-secret"), "not-the-secret", url));
    expect(wrongSecret.status).toBe(401);

    // a replay (or the provider's retry) is answered as accepted, so the provider does not count a failure, and is
    // not stored twice
    const replay = await webhook(w(), delivery);
    expect(replay.status, replay.text).toBe(double.acceptedStatus);
    expect(await deliveries(w())).toBe(stored + 1);
    if (double.retryResigns) {
      // the provider's retry of the same event, signed again a second later (a new timestamp): still one event
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const retry = double.sign(body, secret, url);
      expect(retry.headers).not.toEqual(delivery.headers);
      const answered = await webhook(w(), retry);
      expect(answered.status, answered.text).toBe(double.acceptedStatus);
      expect(await deliveries(w())).toBe(stored + 1);
    }
  });

  // Only the providers' own shapes: RFC 7009 servers answer 200 for a token they do not know.
  if (!["rfc7009", "rfc7009-post", "rfc7009-basic"].includes(spec.revocationStyle ?? "rfc7009")) it(
    `a revocation ${spec.displayName} refuses is reported, and the connection still goes (${spec.revocationStyle})`,
    async () => {
      // The user revoked the app at the provider already: the provider refuses to revoke a dead grant.
      for (const grant of doubles.grants) if (grant.integration === w().id) grant.revoked = true;
      const before = doubles.requests.filter((r) => r.preset === w().preset && r.endpoint === "revoke").length;
      const res = await call(`${w().id}-exchange-tokens`, { action: "disconnect" });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ disconnected: true, revoked: false, revocationError: expect.any(String) });
      expect(doubles.requests.filter((r) => r.preset === w().preset && r.endpoint === "revoke").length).toBe(before + 1);
      // the row goes, the outcome stays: the health page and doctor --db-url list it
      expect(await revocationEvent(w().id)).toMatchObject({ event_type: "revocation_failed", details: { error: res.body.revocationError } });
      expect(await connection(w().id)).toBeUndefined();
      expect(await tokens(w().id)).toBeNull();
      await connect(w());
    },
  );

  it(`disconnects${spec.revocationUrl ? ", revoking the grant at the provider" : ""}`, async () => {
    const grant = doubles.grantOf(w().id);
    if (["bearer", "bearer-delete", "client-json-camel", "basic-json-refresh"].includes(spec.revocationStyle ?? "") && grant.refreshToken) {
      // bearer, bearer-delete, client-json-camel: the revocation call names the grant by the access token, so an
      // expired one is refreshed first, else the refresh token would outlive the disconnect. basic-json-refresh:
      // the refresh token itself is sent (the double refuses an expired access token).
      grant.accessExpired = true;
      await db.query("update nexus_integrate.oauth_tokens set expires_at = now() - interval '1 hour' where user_id = $1 and provider = $2", [USER_A, w().id]);
    }
    const previous = await revocationEvent(w().id);
    const res = await call(`${w().id}-exchange-tokens`, { action: "disconnect" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ disconnected: true, revoked: Boolean(spec.revocationUrl) });
    const recorded = await revocationEvent(w().id);
    if (spec.revocationUrl) {
      expect(recorded).toMatchObject({ event_type: "grant_revoked" });
      expect(recorded!.id).not.toBe(previous?.id);
    } else {
      // a provider without a revocation API: nothing was attempted, so nothing is recorded
      expect(recorded).toEqual(previous);
    }
    expect(grant.revoked).toBe(Boolean(spec.revocationUrl));
    expect(await connection(w().id)).toBeUndefined();
    expect(await tokens(w().id)).toBeNull();
  });
});

describe("the catalog and its doubles", () => {
  it("every preset has a double, and every double a preset: a preset cannot be added without one", () => {
    expect(Object.keys(BEHAVIOURS).sort()).toEqual(PRESETS);
  });

  it("every preset cites where its endpoints, error shapes and webhooks are documented", async () => {
    const { presetReferences } = await import("../../src/spec/presets.js");
    for (const preset of PRESETS) {
      const spec = loadPreset(preset);
      const references = presetReferences(preset);
      // Background sync: every preset says its request budget, its refresh tokens' idle lifetime and how its
      // listing reports changes (or that it does not), each with the page that documents it.
      const needed = [
        "tokenUrl",
        "rateLimit",
        "refreshTokenIdle",
        "incremental",
        // The docs page's console steps (issue 25): the page they follow, and the one behind one-or-many redirect URIs
        "console",
        "consoleRedirectUris",
        ...(spec.webhooks ? ["webhooks"] : []),
        ...(spec.errors ? ["errors"] : []),
        // PKCE off: the page that documents the provider's authorization request (issue 23: the preset says why)
        ...(spec.pkce ? [] : ["pkce"]),
      ];
      if (!spec.pkce) expect(spec.notes, `${preset}: notes say why PKCE is off`).toMatch(/PKCE/);
      for (const topic of needed) expect(references[topic], `${preset}: references.${topic}`).toMatch(/^https:\/\/[^\s]+$/);
      expect(spec.docsUrl, preset).toMatch(/^https:\/\//);
    }
  });
});
