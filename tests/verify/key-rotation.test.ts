import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDatabase } from "../../src/commands/doctor.js";
import {
  CLIENT_ID,
  decryptStored,
  ENCRYPTION_KEY,
  keyIdOf,
  sealStored,
  STATE_KEY,
  startStack,
  USER_A,
  USER_B,
  type CallResult,
  type Stack,
} from "../helpers/oauth-stack.js";

/**
 * Key rotation, run for real: the generated functions under the gateway stand-in, restarted with new secrets as a
 * redeploy after `supabase secrets set` would, on one database. Tokens sealed with key A (and rows from before key
 * rings) stay readable once key B is added in front of it, move to B on their next sync, keep working when A is
 * taken out, and a ring that opens nothing ends in needs_reauth, never a 500. The state-signing key rotates the same way.
 */
const EXCHANGE = "google-analytics-exchange-tokens";
const SYNC = "google-analytics-sync";
const REDIRECT = "http://localhost:5173/integrations/google-analytics/callback";
const KEY_B = randomBytes(32).toString("base64");
const KEY_C = randomBytes(32).toString("base64");
const STATE_B = randomBytes(32).toString("base64");

type Caller = (fn: string, userId: string | null, body?: unknown) => Promise<CallResult>;
let stack: Stack;
let utils: { createGoogleAnalyticsAuthUrl(params: { clientId: string; redirectUri: string; state: string; codeChallenge?: string | null }): string };

async function connect(user: string, start: Caller, finish: Caller = start): Promise<CallResult> {
  const started = await start(EXCHANGE, user, { action: "start", redirectUri: REDIRECT });
  expect(started.status, started.text).toBe(200);
  const body = started.body as { state: string; codeChallenge: string; redirectUri: string };
  const url = utils.createGoogleAnalyticsAuthUrl({ clientId: CLIENT_ID, redirectUri: body.redirectUri, state: body.state, codeChallenge: body.codeChallenge });
  const response = await fetch(url, { redirect: "manual" });
  return finish(EXCHANGE, user, { action: "exchange", callback: new URL(response.headers.get("location")!).search });
}

async function tokenRow(user: string) {
  const { rows } = await stack.db.query<{ access_token: string; refresh_token: string | null; updated_at: Date }>(
    "select access_token, refresh_token, updated_at from nexus_integrate.oauth_tokens where user_id = $1 and provider = 'google-analytics'",
    [user],
  );
  return rows[0]!;
}

const keyOf = (ciphertext: string) => (ciphertext.startsWith("v2.") ? ciphertext.split(".")[1] : "v1");
const context = (user: string, kind: string) => `google-analytics:${user}:${kind}`;

async function tokenKeysFinding() {
  const { findings } = await checkDatabase(stack.app, stack.db.url);
  return findings.find((f) => f.check === "token-keys");
}

beforeAll(async () => {
  stack = await startStack({ preset: "google-analytics" });
  utils = await import(pathToFileURL(path.join(stack.app, "src/services/integrations/google-analytics/utils.ts")).href);
  // Tokens far from expiry: a sync reads them and refreshes nothing.
  stack.apiItems = [{ name: "accountSummaries/1", account: "accounts/1" }];
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe("rotating the token encryption key", () => {
  let withB: Caller;
  let onlyB: Caller;

  it("tokens sealed with key A, and a row from before key rings, name their key", async () => {
    const call: Caller = (fn, user, body) => stack.call(fn, user, body);
    expect((await connect(USER_A, call)).status).toBe(200);
    expect((await connect(USER_B, call)).status).toBe(200);
    expect(keyOf((await tokenRow(USER_A)).access_token)).toBe(keyIdOf(ENCRYPTION_KEY));
    // B's row as the functions wrote it before key rings: v1, no key id.
    const b = await tokenRow(USER_B);
    const access = await decryptStored(b.access_token, context(USER_B, "access_token"));
    const refresh = await decryptStored(b.refresh_token!, context(USER_B, "refresh_token"));
    await stack.db.query("update nexus_integrate.oauth_tokens set access_token = $1, refresh_token = $2 where user_id = $3", [
      await sealStored(access, context(USER_B, "access_token"), { version: "v1" }),
      await sealStored(refresh, context(USER_B, "refresh_token"), { version: "v1" }),
      USER_B,
    ]);
    expect(keyOf((await tokenRow(USER_B)).access_token)).toBe("v1");
  });

  it("with B added in front of A: both still sync, each row is re-sealed with B on its way (not refreshed), doctor counts what is left", async () => {
    const functions = path.join(stack.app, "supabase", "functions");
    writeFileSync(path.join(functions, ".env"), `NEXUS_TOKEN_ENCRYPTION_KEYS=${KEY_B},${ENCRYPTION_KEY}\n`);
    const before = await tokenKeysFinding();
    expect(before).toMatchObject({ ok: false, message: expect.stringContaining(`1 under key ${keyIdOf(ENCRYPTION_KEY)}`) });
    expect(before!.message).toContain("1 under from before key rings (v1)");
    expect(before!.message).toContain(`the current key (supabase/functions/.env) is ${keyIdOf(KEY_B)}`);

    withB = await stack.instanceWith({ NEXUS_TOKEN_ENCRYPTION_KEY: "", NEXUS_TOKEN_ENCRYPTION_KEYS: `${KEY_B},${ENCRYPTION_KEY}` });
    for (const user of [USER_A, USER_B]) {
      const old = await tokenRow(user);
      const plaintext = await decryptStored(old.access_token, context(user, "access_token"));
      const issuedBefore = stack.issued.length;
      const res = await withB(SYNC, user);
      expect(res.status, res.text).toBe(200);
      expect(stack.issued.length).toBe(issuedBefore); // no refresh
      expect(stack.apiRequests.at(-1)!.authorization).toBe(`Bearer ${plaintext}`);
      const now = await tokenRow(user);
      expect([user, keyOf(now.access_token), keyOf(now.refresh_token!)]).toEqual([user, keyIdOf(KEY_B), keyIdOf(KEY_B)]);
      expect(await decryptStored(now.access_token, context(user, "access_token"), KEY_B)).toBe(plaintext);
      expect(now.updated_at.getTime()).toBe(old.updated_at.getTime());
    }
    expect(await tokenKeysFinding()).toMatchObject({ ok: true, message: `every stored token is sealed with the current key ${keyIdOf(KEY_B)} (supabase/functions/.env)` });
  });

  it("a sign-in started before the redeploy (its PKCE verifier sealed with A) completes after it, and its tokens are sealed with B", async () => {
    const res = await connect(USER_A, (fn, user, body) => stack.call(fn, user, body), withB);
    expect(res.status, res.text).toBe(200);
    expect(keyOf((await tokenRow(USER_A)).access_token)).toBe(keyIdOf(KEY_B));
  });

  it("with A taken out of the ring, every connection keeps working", async () => {
    onlyB = await stack.instanceWith({ NEXUS_TOKEN_ENCRYPTION_KEY: "", NEXUS_TOKEN_ENCRYPTION_KEYS: KEY_B });
    for (const user of [USER_A, USER_B]) {
      const res = await onlyB(SYNC, user);
      expect([user, res.status, res.text]).toEqual([user, 200, res.text]);
    }
  });

  it("tokens no key of the ring opens end in needs_reauth with an event saying why, never a 500; other users are untouched", async () => {
    const wrong = await stack.instanceWith({ NEXUS_TOKEN_ENCRYPTION_KEY: "", NEXUS_TOKEN_ENCRYPTION_KEYS: KEY_C });
    const res = await wrong(SYNC, USER_A);
    expect(res.status, res.text).toBe(409);
    expect(res.body.error).toBe("needs_reauth");
    const { rows } = await stack.db.query<{ status: string; last_error: string | null }>(
      "select status, last_error from public.nexus_user_integrations where user_id = $1",
      [USER_A],
    );
    expect(rows).toEqual([{ status: "needs_reauth", last_error: "encryption_key_unavailable" }]);
    const events = await stack.db.query<{ details: Record<string, unknown> }>(
      "select details from public.nexus_integration_events where user_id = $1 and event_type = 'sync_failed' order by id desc limit 1",
      [USER_A],
    );
    expect(events.rows[0]!.details).toMatchObject({ error: "encryption_key_unavailable", keyId: keyIdOf(KEY_B) });
    expect((await onlyB(SYNC, USER_B)).status).toBe(200);
  });

  it("a ring set beside a single key that is not in it stops the function at start, naming both secrets (no key is dropped silently)", async () => {
    await expect(stack.instanceWith({ NEXUS_TOKEN_ENCRYPTION_KEYS: KEY_B })).rejects.toThrow(
      "NEXUS_TOKEN_ENCRYPTION_KEY is set beside NEXUS_TOKEN_ENCRYPTION_KEYS but is not one of its keys",
    );
    // listed in the ring, it may stay set
    const fine = await stack.instanceWith({ NEXUS_TOKEN_ENCRYPTION_KEYS: `${KEY_B},${ENCRYPTION_KEY}` });
    expect((await fine(SYNC, USER_B)).status).toBe(200);
  });
});

describe("rotating the state-signing key", () => {
  it("a state signed with the old key verifies while both are in the ring, and not once the old one is out", async () => {
    const both = await stack.instanceWith({ NEXUS_STATE_SIGNING_KEY: "", NEXUS_STATE_SIGNING_KEYS: `${STATE_B},${STATE_KEY}` });
    const call: Caller = (fn, user, body) => stack.call(fn, user, body);
    await stack.db.query("update public.nexus_user_integrations set status = 'connected', last_error = null");
    // started with the old key alone, finished with both
    expect((await connect(USER_B, call, both)).status).toBe(200);
    // started with both (signed with the new key), finished with the new key alone
    const onlyNew = await stack.instanceWith({ NEXUS_STATE_SIGNING_KEY: "", NEXUS_STATE_SIGNING_KEYS: STATE_B });
    expect((await connect(USER_B, both, onlyNew)).status).toBe(200);
    // signed with the old key, presented once it is out of the ring
    const refused = await connect(USER_B, call, onlyNew);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error).toBe("invalid_state");
  });
});
