import { createHash, createHmac, randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt, signJwtES256, userJwtFor } from "../helpers/jwt.js";
import { CLIENT_ID, decryptStored, STATE_KEY, startStack, USER_A, USER_B, type Stack } from "../helpers/oauth-stack.js";
import { rolesWriting } from "../helpers/role-probe.js";

/**
 * Layer 3: the generated exchange and sync functions run for real (their index.ts under Deno behind a
 * Supabase gateway stand-in) against oauth2-mock-server as the provider, storing into PostgreSQL.
 */
let stack: Stack;
let utils: {
  createGoogleAnalyticsAuthUrl(params: { clientId: string; redirectUri: string; state: string; codeChallenge?: string | null }): string;
};
const EXCHANGE = "google-analytics-exchange-tokens";
const SYNC = "google-analytics-sync";
const REDIRECT = "http://localhost:5173/integrations/google-analytics/callback";


async function start(user: string) {
  const res = await stack.call(EXCHANGE, user, { action: "start", redirectUri: REDIRECT });
  expect(res.status, res.text).toBe(200);
  return res.body as { state: string; codeChallenge: string; codeChallengeMethod: string; redirectUri: string };
}

/** What the browser does: build the URL, follow it to the provider, come back with its redirect. */
async function authorize(started: { state: string; codeChallenge: string | null; redirectUri: string }) {
  const url = utils.createGoogleAnalyticsAuthUrl({
    clientId: CLIENT_ID,
    redirectUri: started.redirectUri,
    state: started.state,
    codeChallenge: started.codeChallenge,
  });
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return { url: new URL(url), callback: location.search };
}

async function events(user: string, type: string) {
  const { rows } = await stack.db.query<{ details: Record<string, unknown>; duration_ms: number | null }>(
    "select details, duration_ms from public.nexus_integration_events where user_id = $1 and event_type = $2 order by id",
    [user, type],
  );
  return rows;
}

async function tokenRow(user: string) {
  const { rows } = await stack.db.query<{ access_token: string; refresh_token: string | null; expires_at: Date }>(
    "select access_token, refresh_token, expires_at from nexus_integrate.oauth_tokens where user_id = $1 and provider = 'google-analytics'",
    [user],
  );
  return rows[0];
}

async function jobRow(user: string) {
  const { rows } = await stack.db.query<{ lease_owner: string | null; queued_at: Date | null; run_after: Date | null }>(
    "select lease_owner, queued_at, run_after from nexus_integrate.sync_jobs where user_id = $1 and provider = 'google-analytics'",
    [user],
  );
  return rows[0];
}

async function tokenLease(user: string) {
  const { rows } = await stack.db.query<{ refresh_lease_owner: string | null }>(
    "select refresh_lease_owner from nexus_integrate.oauth_tokens where user_id = $1 and provider = 'google-analytics' and refresh_lease_until > now()",
    [user],
  );
  return rows[0]?.refresh_lease_owner ?? null;
}

/** Polls `check` every 20 ms (10 s at most). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("waited 10 s in vain");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Everything runs twice: with a project on Supabase's legacy keys (anon key, HS256 user JWTs checked by
 * Supabase Auth) and with one on the new keys only (publishable/secret keys, user JWTs signed by an ES256 key
 * the project publishes as a JWKS). The gateway does not check JWTs for these functions (verify_jwt = false in
 * the generated config.toml block): each function verifies its caller itself.
 */
describe.each([
  ["the example app", "legacy"],
  ["the example app", "asymmetric"],
  // A repo built by hand from the playbook: its own user_integrations and oauth_tokens, with rows, are in the
  // same database; the generated integration works beside them.
  ["the playbook fixture's database", "legacy"],
] as const)("%s, with %s signing keys", (where, keys) => {
  beforeAll(async () => {
    stack = await startStack({ preset: "google-analytics", keys, app: where === "the example app" ? "example" : "playbook" });
    utils = await import(pathToFileURL(path.join(stack.app, "src/services/integrations/google-analytics/utils.ts")).href);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it("the function itself refuses a forged JWT, an anon-role token and a token of the other key scheme", async () => {
    const other = keys === "legacy" ? "asymmetric" : "legacy";
    const forged = keys === "legacy" ? signJwt({ sub: USER_A }, "not-the-project-secret") : userJwtFor(other, USER_A);
    const anon = keys === "legacy" ? signJwt({ role: "anon" }) : signJwtES256({ role: "anon" });
    for (const token of [forged, anon, keys === "legacy" ? userJwtFor(other, USER_A) : signJwt({ sub: USER_A })]) {
      const res = await stack.call(EXCHANGE, null, { action: "start", redirectUri: REDIRECT }, { Authorization: `Bearer ${token}` });
      expect(res.status, res.text).toBe(401);
      expect(res.body.error).toBe("unauthorized");
    }
  });

  it("refuses a properly signed token that has expired, names no user, is an anonymous sign-in's, or whose role is not authenticated although it names one", async () => {
    const mint = (claims: Record<string, unknown>) => (keys === "legacy" ? signJwt(claims) : signJwtES256(claims));
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const cases = {
      expired: mint({ sub: USER_A, iat: hourAgo - 3600, exp: hourAgo }),
      anon: mint({ sub: USER_A, role: "anon" }),
      service_role: mint({ sub: USER_A, role: "service_role" }),
      no_user: mint({}),
      anonymous: mint({ sub: USER_A, is_anonymous: true }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await stack.call(EXCHANGE, null, { action: "start", redirectUri: REDIRECT }, { Authorization: `Bearer ${token}` });
      expect([name, res.status, res.body.error]).toEqual([name, 401, "unauthorized"]);
    }
    // the same claims, unexpired and with the authenticated role, are let in: the refusals above are the checks'
    const fine = await stack.call(EXCHANGE, null, { action: "start", redirectUri: REDIRECT }, { Authorization: `Bearer ${mint({ sub: USER_A })}` });
    expect(fine.status, fine.text).toBe(200);
  });

  it("with NEXUS_ALLOWED_ORIGINS unset, only loopback origins are accepted: another site gets no CORS grant and no authorization", async () => {
    const evil = "https://evil.example";
    const res = await stack.call(EXCHANGE, USER_A, { action: "start", redirectUri: `${evil}/integrations/google-analytics/callback` }, { Origin: evil });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe("redirectUri is not on an allowed origin.");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const local = await stack.call(EXCHANGE, USER_A, { action: "start", redirectUri: REDIRECT });
    expect(local.status, local.text).toBe(200);
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  it("a redirect URI on an allowed origin must still be https, unless it is loopback (the code travels in it)", async () => {
    const allowing = await stack.instanceWith({ NEXUS_ALLOWED_ORIGINS: "http://app.example.com,https://app.example.com,http://localhost:5173" });
    const plain = await allowing(EXCHANGE, USER_A, { action: "start", redirectUri: "http://app.example.com/integrations/google-analytics/callback" });
    expect([plain.status, plain.body.message]).toEqual([400, "redirectUri must use https (http only on localhost)."]);
    for (const ok of ["https://app.example.com/integrations/google-analytics/callback", REDIRECT]) {
      expect((await allowing(EXCHANGE, USER_A, { action: "start", redirectUri: ok })).status, ok).toBe(200);
    }
  });

  describe("start", () => {
    it("issues a signed state and an S256 challenge; the URL carries scopes and the preset's params", async () => {
      const started = await start(USER_A);
      expect(started.state).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect(started.codeChallengeMethod).toBe("S256");
      expect(started.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const { url } = await authorize(started);
      expect(url.searchParams.get("scope")).toBe("openid email https://www.googleapis.com/auth/analytics.readonly");
      expect(url.searchParams.get("access_type")).toBe("offline");
      expect(url.searchParams.get("prompt")).toBe("consent");
      expect(url.searchParams.get("include_granted_scopes")).toBe("true");
      expect(url.searchParams.get("code_challenge")).toBe(started.codeChallenge);
      expect(url.searchParams.get("state")).toBe(started.state);

      const { rows } = await stack.db.query<{ state_hash: string; code_verifier: string; redirect_uri: string }>(
        "select state_hash, code_verifier, redirect_uri from nexus_integrate.oauth_states where state_hash = $1",
        [createHash("sha256").update(started.state).digest("hex")],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.code_verifier).toMatch(/^v2\./); // the verifier is stored encrypted, server-side
      expect(JSON.stringify(await stack.db.query("select * from nexus_integrate.oauth_states"))).not.toContain(started.state);
      expect((await events(USER_A, "oauth_initiated")).length).toBeGreaterThan(0);
    });

    it("holds at most 10 unfinished sign-ins per user and provider: the 11th start is 429 and stores nothing", async () => {
      const user = randomUUID();
      await stack.db.query("insert into auth.users (id, email) values ($1, $2)", [user, `${user}@example.com`]);
      const open = async () =>
        Number((await stack.db.query<{ n: string }>("select count(*) as n from nexus_integrate.oauth_states where user_id = $1 and used_at is null", [user])).rows[0]!.n);
      for (let i = 0; i < 10; i++) await start(user);
      const refused = await stack.call(EXCHANGE, user, { action: "start", redirectUri: REDIRECT });
      expect(refused.status, refused.text).toBe(429);
      expect(refused.body).toMatchObject({ error: "too_many_attempts" });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await open()).toBe(10);
      // another user is not held up by this one
      await start(USER_B);
      // an attempt that has expired frees its place
      await stack.db.query("update nexus_integrate.oauth_states set expires_at = now() - interval '1 second' where state_hash = (select state_hash from nexus_integrate.oauth_states where user_id = $1 limit 1)", [user]);
      await start(user);
      expect(await open()).toBe(10);

      // concurrent starts do not all pass the count: exactly 10 of 16 are stored
      const other = randomUUID();
      await stack.db.query("insert into auth.users (id, email) values ($1, $2)", [other, `${other}@example.com`]);
      const answers = await Promise.all(Array.from({ length: 16 }, () => stack.call(EXCHANGE, other, { action: "start", redirectUri: REDIRECT })));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(6);
    });

    it("starts racing for a user's last place: the count is taken under the user's lock, so exactly one takes it", async () => {
      const user = randomUUID();
      await stack.db.query("insert into auth.users (id, email) values ($1, $2)", [user, `${user}@example.com`]);
      for (let i = 0; i < 9; i++) await start(user);
      // Lined up: a transaction holding the table in SHARE mode stops every start at its insert until all three
      // (the instance's three connections) have begun. Unlocked, each would count nine and insert.
      const holder = postgres(stack.db.url, { max: 1, onnotice: () => undefined });
      let answers: Awaited<ReturnType<Stack["call"]>>[] = [];
      try {
        await holder.begin(async (tx) => {
          await tx`lock table nexus_integrate.oauth_states in share mode`;
          const racing = Promise.all(
            Array.from({ length: 3 }, () => stack.call(EXCHANGE, user, { action: "start", redirectUri: REDIRECT })),
          );
          for (let waited = 0; ; waited += 50) {
            const [row] = await tx<{ n: number }[]>`
              select count(*)::int as n from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`;
            if (row!.n >= 3) break;
            if (waited > 20_000) throw new Error(`only ${row!.n} of 3 starts reached the database`);
            await new Promise((r) => setTimeout(r, 50));
          }
          void racing.then((all) => (answers = all));
        });
        await expect.poll(() => answers.length, { timeout: 20_000 }).toBe(3);
      } finally {
        await holder.end();
      }
      expect(answers.map((a) => a.status).sort()).toEqual([200, 429, 429]);
      const { rows } = await stack.db.query<{ n: number }>(
        "select count(*)::int as n from nexus_integrate.oauth_states where user_id = $1 and used_at is null",
        [user],
      );
      expect(rows[0]!.n).toBe(10);
    });

    it("requires a signed-in user and a redirect URI on the callback route", async () => {
      expect((await stack.call(EXCHANGE, null, { action: "start", redirectUri: REDIRECT })).status).toBe(401);
      const bad = await stack.call(EXCHANGE, USER_A, { action: "start", redirectUri: "https://evil.example/steal" });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe("invalid_request");
    });
  });

  describe("exchange", () => {
    it("stores encrypted tokens and a user_integrations row, and returns no token", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      const res = await stack.call(EXCHANGE, USER_A, { action: "exchange", callback });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ connected: true, integration: { id: "google-analytics", status: "connected" } });

      const issued = stack.issued.at(-1)!;
      expect(res.text).not.toContain(issued.accessToken);
      expect(res.text).not.toContain(issued.refreshToken!);
      const row = (await tokenRow(USER_A))!;
      expect(row.access_token).not.toContain(issued.accessToken);
      expect(row.access_token).toMatch(/^v2\./);
      expect(await decryptStored(row.access_token, `google-analytics:${USER_A}:access_token`)).toBe(issued.accessToken);
      expect(await decryptStored(row.refresh_token!, `google-analytics:${USER_A}:refresh_token`)).toBe(issued.refreshToken);
      // Bound to its row: the same ciphertext does not decrypt as another user's token.
      await expect(decryptStored(row.access_token, `google-analytics:${USER_B}:access_token`)).rejects.toThrow();

      const { rows } = await stack.db.query<{ status: string; config: { account: { sub: string } } }>(
        "select status, config from public.nexus_user_integrations where user_id = $1",
        [USER_A],
      );
      expect(rows).toEqual([{ status: "connected", config: expect.objectContaining({ account: { sub: "johndoe" } }) }]);
      expect(await events(USER_A, "token_exchanged")).toHaveLength(1);
      expect((await events(USER_A, "oauth_completed"))[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    });

    async function expectRejected(user: string, callback: string, error: string, reason: string) {
      const failedBefore = (await events(user, "oauth_failed")).length;
      const res = await stack.call(EXCHANGE, user, { action: "exchange", callback });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toBe(error);
      expect(typeof res.body.message).toBe("string");
      const failed = await events(user, "oauth_failed");
      expect(failed).toHaveLength(failedBefore + 1);
      expect(failed.at(-1)!.details).toMatchObject({ reason });
    }

    it("rejects a replayed state", async () => {
      const started = await start(USER_B);
      const { callback } = await authorize(started);
      expect((await stack.call(EXCHANGE, USER_B, { action: "exchange", callback })).status).toBe(200);
      await expectRejected(USER_B, callback, "invalid_state", "replayed");
    });

    it("rejects an expired state", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      await stack.db.query("update nexus_integrate.oauth_states set expires_at = now() - interval '1 minute' where state_hash = $1", [
        createHash("sha256").update(started.state).digest("hex"),
      ]);
      await expectRejected(USER_A, callback, "expired_state", "expired");
    });

    it("starting an attempt deletes every expired one, whoever it belonged to", async () => {
      const old = await start(USER_B);
      const oldHash = createHash("sha256").update(old.state).digest("hex");
      await stack.db.query("update nexus_integrate.oauth_states set expires_at = now() - interval '1 second' where state_hash = $1", [oldHash]);
      const live = await start(USER_B);
      await start(USER_A);
      const { rows } = await stack.db.query<{ state_hash: string }>("select state_hash from nexus_integrate.oauth_states where expires_at < now()");
      expect(rows).toEqual([]);
      const kept = await stack.db.query("select 1 from nexus_integrate.oauth_states where state_hash = $1", [
        createHash("sha256").update(live.state).digest("hex"),
      ]);
      expect(kept.rows).toHaveLength(1);
    });

    it("rejects another user's state without burning it for its owner", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      await expectRejected(USER_B, callback, "invalid_state", "other_user");
      expect((await stack.call(EXCHANGE, USER_A, { action: "exchange", callback })).status).toBe(200);
    });

    // The state is bound to its user twice, and each layer must hold on its own: the signature covers the user id,
    // and the row is looked up with it. Each test below takes the other layer away by hand.
    it("the signature alone binds the user: a state signed for A is refused for B even when its row says B", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      await stack.db.query("update nexus_integrate.oauth_states set user_id = $1 where state_hash = $2", [
        USER_B,
        createHash("sha256").update(started.state).digest("hex"),
      ]);
      const before = await tokenRow(USER_B);
      await expectRejected(USER_B, callback, "invalid_state", "bad_signature");
      expect(await tokenRow(USER_B)).toEqual(before);
    });

    it("the row lookup alone binds the user: a state correctly signed for B whose row is A's is refused for B", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      // What B could present if the signature did not bind the user: A's nonce, signed (with the state key) for B.
      const nonce = started.state.split(".")[0]!;
      const forB = `${nonce}.${createHmac("sha256", Buffer.from(STATE_KEY, "base64")).update(`google-analytics.${USER_B}.${nonce}`).digest("base64url")}`;
      await stack.db.query("update nexus_integrate.oauth_states set state_hash = $1 where state_hash = $2", [
        createHash("sha256").update(forB).digest("hex"),
        createHash("sha256").update(started.state).digest("hex"),
      ]);
      const params = new URLSearchParams(callback);
      params.set("state", forB);
      const before = await tokenRow(USER_B);
      await expectRejected(USER_B, `?${params}`, "invalid_state", "other_user");
      expect(await tokenRow(USER_B)).toEqual(before);
      const { rows } = await stack.db.query<{ used_at: Date | null }>("select used_at from nexus_integrate.oauth_states where state_hash = $1", [
        createHash("sha256").update(forB).digest("hex"),
      ]);
      expect(rows).toEqual([{ used_at: null }]);
    });

    it("rejects a tampered state", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      const params = new URLSearchParams(callback);
      const state = params.get("state")!;
      params.set("state", `${state.slice(0, 10)}${state[10] === "A" ? "B" : "A"}${state.slice(11)}`);
      await expectRejected(USER_A, `?${params}`, "invalid_state", "bad_signature");
    });

    it("rejects a wrong code with a clean error", async () => {
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      const params = new URLSearchParams(callback);
      params.set("code", "not-a-code-the-provider-issued");
      await expectRejected(USER_A, `?${params}`, "exchange_failed", "token_exchange");
    });

    it("reports the provider's access_denied and stores nothing", async () => {
      await stack.db.query("delete from nexus_integrate.oauth_tokens where user_id = $1", [USER_B]);
      const started = await start(USER_B);
      const callback = `?error=access_denied&error_description=The+user+declined&state=${encodeURIComponent(started.state)}`;
      await expectRejected(USER_B, callback, "access_denied", "provider_error");
      expect(await tokenRow(USER_B)).toBeUndefined();
    });
  });

  describe("sync", () => {
    beforeAll(async () => {
      // A fresh, connected integration for user A.
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      expect((await stack.call(EXCHANGE, USER_A, { action: "exchange", callback })).status).toBe(200);
    });

    it("its SQL runs as nexus_integrate_fn_google_analytics (schema steps 007, 009), not as the owner it connects as", async () => {
      // A probe trigger records the role each write runs under: the records and the connection row (the job
      // system's calls, step 009) and the refreshed tokens (a query of the store, step 007).
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
      const roles = await rolesWriting(
        stack.db,
        [
          { table: "public.google_analytics_records", events: "insert or update" },
          { table: "public.nexus_user_integrations", events: "update" },
          { table: "nexus_integrate.oauth_tokens", events: "update" },
        ],
        async () => {
          stack.apiItems = [{ name: "accountSummaries/7", displayName: "Probe" }];
          const res = await stack.call(SYNC, USER_A);
          expect(res.status, res.text).toBe(200);
        },
      );
      await stack.db.query("delete from public.google_analytics_records where external_id = 'accountSummaries/7'");
      expect(roles).toEqual(["nexus_integrate_fn_google_analytics"]);
    });

    it("refreshes an expiring token, keeps the rotated refresh token, stores the data and stamps the sync", async () => {
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
      stack.apiItems = [
        { name: "accountSummaries/1", displayName: "Main" },
        { name: "accountSummaries/2", displayName: "Other" },
      ];
      const issuedBefore = stack.issued.length;
      const res = await stack.call(SYNC, USER_A);
      expect(res.status, res.text).toBe(200);
      expect(res.body.synced).toBe(2);

      const refreshed = stack.issued.slice(issuedBefore);
      expect(refreshed.map((t) => t.grant)).toEqual(["refresh_token"]);
      const row = (await tokenRow(USER_A))!;
      expect(await decryptStored(row.refresh_token!, `google-analytics:${USER_A}:refresh_token`)).toBe(refreshed[0]!.refreshToken);
      expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
      expect(stack.apiRequests.at(-1)).toEqual({
        path: "/v1beta/accountSummaries?pageSize=200",
        authorization: `Bearer ${refreshed[0]!.accessToken}`,
      });
      expect((await events(USER_A, "token_refreshed")).at(-1)!.details).toEqual({ rotated: true });

      const records = await stack.db.query<{ external_id: string }>(
        "select external_id from public.google_analytics_records where user_id = $1 order by external_id",
        [USER_A],
      );
      expect(records.rows.map((r) => r.external_id)).toEqual(["accountSummaries/1", "accountSummaries/2"]);
      const integration = await stack.db.query<{ last_sync_at: Date | null }>(
        "select last_sync_at from public.nexus_user_integrations where user_id = $1",
        [USER_A],
      );
      expect(integration.rows[0]!.last_sync_at).not.toBeNull();
      expect((await events(USER_A, "data_synced")).at(-1)).toMatchObject({ details: { records: 2 } });
    });

    it("a click while a sync runs joins it: the second call finds the job leased and answers 202, nothing runs twice", async () => {
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
      await stack.callOtherInstance(SYNC, null); // start the second instance before the race
      const refreshesBefore = stack.issued.filter((t) => t.grant === "refresh_token").length;
      stack.tokenDelayMs = 600;
      const first = stack.call(SYNC, USER_A);
      await waitFor(async () => (await jobRow(USER_A))?.lease_owner !== null);
      const second = await stack.callOtherInstance(SYNC, USER_A);
      expect(second.status, second.text).toBe(202);
      expect(second.body).toMatchObject({ queued: true, running: true });
      const done = await first.finally(() => {
        stack.tokenDelayMs = 0;
      });
      expect(done.status, done.text).toBe(200);
      expect(stack.issued.filter((t) => t.grant === "refresh_token").length).toBe(refreshesBefore + 1);
    });

    it("a worker whose job lease ran out mid-refresh: the next one waits for the token lease, re-reads and refreshes nothing; no transaction is held across the provider call", async () => {
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
      const refreshesBefore = stack.issued.filter((t) => t.grant === "refresh_token").length;
      // Two processes, two PostgreSQL connections, and a provider slow enough that the second sync also finds the
      // token expiring: only the token row's lease keeps it from refreshing too (and spending a rotated token twice).
      stack.tokenDelayMs = 4000;
      const calls = stack.tokenCalls;
      const first = stack.call(SYNC, USER_A);
      await waitFor(async () => stack.tokenCalls > calls);
      // While the provider holds the refresh, no connection of the functions is inside a transaction.
      const open = await stack.db.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'",
      );
      expect(open.rows[0]!.n, "a transaction held open across the provider call").toBe(0);
      expect(await tokenLease(USER_A), "the token row's lease is held instead").not.toBeNull();
      const firstOwner = (await jobRow(USER_A))!.lease_owner;
      // The first worker's job lease runs out (it is slow, or dead): the second takes the job over.
      await stack.db.query("update nexus_integrate.sync_jobs set lease_until = now() - interval '1 second' where user_id = $1", [USER_A]);
      const second = stack.callOtherInstance(SYNC, USER_A);
      // The second worker holds the job (and waits on the token's lease) while the provider still holds the first.
      await waitFor(async () => {
        const owner = (await jobRow(USER_A))!.lease_owner;
        return owner !== null && owner !== firstOwner;
      });
      expect(await tokenLease(USER_A), "the first refresh is still in flight").not.toBeNull();
      const [a, b] = await Promise.all([first, second]).finally(() => {
        stack.tokenDelayMs = 0;
      });
      expect(b.status, b.text).toBe(200);
      // The first stores nothing after losing its job: it answers that the sync goes on elsewhere.
      expect(a.status, a.text).toBe(202);
      expect(stack.issued.filter((t) => t.grant === "refresh_token").length).toBe(refreshesBefore + 1);
      const { rows } = await stack.db.query<{ status: string }>("select status from public.nexus_user_integrations where user_id = $1", [USER_A]);
      expect(rows).toEqual([{ status: "connected" }]);
    });

    it("a 429 with a short Retry-After pauses the connection instead of waiting: 429 at once, then a sync after the wait succeeds", async () => {
      stack.apiQueue.push({ status: 429, headers: { "Retry-After": "2" }, body: { error: "slow down" } });
      const res = await stack.call(SYNC, USER_A);
      expect(res.status, res.text).toBe(429);
      expect(res.headers.get("retry-after")).toBe("2");
      const job = (await jobRow(USER_A))!;
      expect(job.queued_at, "the job stays queued for a worker").not.toBeNull();
      expect(job.lease_owner).toBeNull();
      expect(job.run_after!.getTime()).toBeGreaterThan(Date.now());
      expect((await stack.call(SYNC, USER_A)).status, "still paused").toBe(429);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const after = await stack.call(SYNC, USER_A);
      expect(after.status, after.text).toBe(200);
    });

    it("backs off with 429 and Retry-After when the wait is long", async () => {
      stack.apiQueue.push({ status: 429, headers: { "Retry-After": "120" } });
      const res = await stack.call(SYNC, USER_A);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("120");
      expect((await events(USER_A, "sync_failed")).at(-1)!.details).toMatchObject({ status: 429, retryAfterSeconds: 120 });
      await stack.db.query("delete from nexus_integrate.request_budgets");
    });

    it("a token with no expiry (providers that send no expires_in) is refreshed once when the API answers 401, and the call retried", async () => {
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = null where user_id = $1", [USER_A]);
      const refreshesBefore = stack.issued.filter((t) => t.grant === "refresh_token").length;
      const requestsBefore = stack.apiRequests.length;
      stack.apiQueue.push({ status: 401, body: { error: "invalid_token" } });
      const res = await stack.call(SYNC, USER_A);
      expect(res.status, res.text).toBe(200);
      const refreshes = stack.issued.filter((t) => t.grant === "refresh_token");
      expect(refreshes).toHaveLength(refreshesBefore + 1);
      const requests = stack.apiRequests.slice(requestsBefore);
      expect(requests).toHaveLength(2);
      expect(requests[1]!.authorization).toBe(`Bearer ${refreshes.at(-1)!.accessToken}`);
      const { rows } = await stack.db.query<{ status: string }>("select status from public.nexus_user_integrations where user_id = $1", [USER_A]);
      expect(rows).toEqual([{ status: "connected" }]);
    });

    it("a 401 whose refresh the provider refuses still ends in needs_reauth (one refresh, no loop)", async () => {
      const refreshesBefore = stack.forceTokenError.size;
      stack.apiQueue.push({ status: 401 }, { status: 401 });
      stack.forceTokenError.set("refresh_token", "invalid_grant");
      const res = await stack.call(SYNC, USER_A);
      expect(res.status, res.text).toBe(409);
      expect(res.body.error).toBe("needs_reauth");
      expect(stack.forceTokenError.size).toBe(refreshesBefore);
      await stack.db.query("update public.nexus_user_integrations set status = 'connected', last_error = null where user_id = $1", [USER_A]);
      stack.apiQueue.length = 0;
    });

    it("marks needs_reauth on invalid_grant", async () => {
      await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
      stack.forceTokenError.set("refresh_token", "invalid_grant");
      const res = await stack.call(SYNC, USER_A);
      expect(res.status, res.text).toBe(409);
      expect(res.body.error).toBe("needs_reauth");
      const { rows } = await stack.db.query<{ status: string }>("select status from public.nexus_user_integrations where user_id = $1", [USER_A]);
      expect(rows).toEqual([{ status: "needs_reauth" }]);
      expect((await events(USER_A, "token_refresh_failed")).at(-1)!.details).toEqual({ error: "invalid_grant" });
    });
  });

  describe("tokens adopted from a hand-written integration", () => {
    it("a user whose tokens wait in plaintext syncs without reconnecting: the first use encrypts them and deletes the plaintext", async () => {
      await stack.db.query("delete from public.nexus_user_integrations where user_id = $1", [USER_B]);
      await stack.db.query(
        "insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status) values ($1, 'google-analytics', 'Google Analytics', 'connected')",
        [USER_B],
      );
      await stack.db.query(
        `insert into nexus_integrate.legacy_tokens (user_id, provider, access_token, refresh_token, expires_at, scope)
         values ($1, 'google-analytics', 'legacy-access-b', 'legacy-refresh-b', now() + interval '1 hour', 'email')`,
        [USER_B],
      );
      stack.apiItems = [{ name: "accountSummaries/7", displayName: "Legacy" }];
      const res = await stack.call(SYNC, USER_B);
      expect(res.status, res.text).toBe(200);
      expect(stack.apiRequests.at(-1)!.authorization).toBe("Bearer legacy-access-b");
      const legacy = await stack.db.query("select 1 from nexus_integrate.legacy_tokens where user_id = $1", [USER_B]);
      expect(legacy.rows).toEqual([]);
      const row = (await tokenRow(USER_B))!;
      expect(row.access_token).toMatch(/^v2\./);
      expect(await decryptStored(row.access_token, `google-analytics:${USER_B}:access_token`)).toBe("legacy-access-b");
      expect(await decryptStored(row.refresh_token!, `google-analytics:${USER_B}:refresh_token`)).toBe("legacy-refresh-b");
    });
  });

  describe("tokens adopted from a hand-written integration, reconnected before any sync", () => {
    it("connecting again replaces the plaintext tokens still waiting: none is left behind", async () => {
      await stack.db.query(
        `insert into nexus_integrate.legacy_tokens (user_id, provider, access_token, refresh_token)
         values ($1, 'google-analytics', 'legacy-access-a', 'legacy-refresh-a') on conflict (user_id, provider) do nothing`,
        [USER_A],
      );
      const started = await start(USER_A);
      const { callback } = await authorize(started);
      expect((await stack.call(EXCHANGE, USER_A, { action: "exchange", callback })).status).toBe(200);
      const legacy = await stack.db.query("select 1 from nexus_integrate.legacy_tokens where user_id = $1", [USER_A]);
      expect(legacy.rows).toEqual([]);
    });
  });

  describe("disconnect", () => {
    it("revokes the token at the provider and deletes the connection and its tokens", async () => {
      const started = await start(USER_B);
      const { callback } = await authorize(started);
      expect((await stack.call(EXCHANGE, USER_B, { action: "exchange", callback })).status).toBe(200);
      stack.apiItems = [{ name: "accountSummaries/9", displayName: "B's property" }];
      expect((await stack.call(SYNC, USER_B)).status).toBe(200);
      const synced = await stack.db.query<{ external_id: string }>("select external_id from public.google_analytics_records where user_id = $1", [USER_B]);
      expect(synced.rows.map((r) => r.external_id)).toContain("accountSummaries/9");
      const revocationsBefore = stack.revoked.length;
      const res = await stack.call(EXCHANGE, USER_B, { action: "disconnect" });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ disconnected: true, revoked: true });
      expect(stack.revoked.length).toBe(revocationsBefore + 1);
      expect(await tokenRow(USER_B)).toBeUndefined();
      const { rows } = await stack.db.query("select 1 from public.nexus_user_integrations where user_id = $1", [USER_B]);
      expect(rows).toEqual([]);
      const records = await stack.db.query("select 1 from public.google_analytics_records where user_id = $1", [USER_B]);
      expect(records.rows, "the user's synced records go with the connection").toEqual([]);
    });
  });
});
