import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ID, generatedAuthUrl, startStack, USER_A, type Stack } from "../helpers/oauth-stack.js";

/**
 * Outbound calls give up: a provider that hangs must not hold the token row lock or the invocation. The functions
 * run with NEXUS_PROVIDER_TIMEOUT_SECONDS=1 against a token endpoint and an API that answer in 6 s (the assertion is that the function answers before the provider does, not a speed target).
 */
let stack: Stack;
const REDIRECT = "http://localhost:5173/integrations/google-analytics/callback";

beforeAll(async () => {
  stack = await startStack({ preset: "google-analytics", env: { NEXUS_PROVIDER_TIMEOUT_SECONDS: "1" } });
  const started = await stack.call("google-analytics-exchange-tokens", USER_A, { action: "start", redirectUri: REDIRECT });
  const url = await generatedAuthUrl(stack.app, { id: "google-analytics", pascal: "GoogleAnalytics" }, CLIENT_ID, started.body);
  const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!);
  const exchanged = await stack.call("google-analytics-exchange-tokens", USER_A, { action: "exchange", callback: back.search });
  expect(exchanged.status, exchanged.text).toBe(200);
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

async function lastEvent(type: string) {
  const { rows } = await stack.db.query<{ details: Record<string, unknown> }>(
    "select details from public.nexus_integration_events where user_id = $1 and event_type = $2 order by id desc limit 1",
    [USER_A, type],
  );
  return rows[0]?.details;
}

describe("outbound calls time out", () => {
  it("a hanging API: the sync answers 504 after the timeout, not after the provider", async () => {
    stack.apiDelayMs = 6000;
    const started = Date.now();
    const res = await stack.call("google-analytics-sync", USER_A, {});
    const took = Date.now() - started;
    stack.apiDelayMs = 0;
    expect(res.status, res.text).toBe(504);
    expect(res.body.error).toBe("provider_unreachable");
    expect(took).toBeLessThan(5000);
    expect(await lastEvent("sync_failed")).toEqual({ error: "timeout" });
  });

  it("a hanging token endpoint: the refresh gives up, the row lock is released and the next sync refreshes", async () => {
    await stack.db.query("update nexus_integrate.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [USER_A]);
    stack.tokenDelayMs = 6000;
    const started = Date.now();
    const res = await stack.call("google-analytics-sync", USER_A, {});
    const took = Date.now() - started;
    expect(res.status, res.text).toBe(502);
    expect(res.body.error).toBe("refresh_failed");
    expect(took).toBeLessThan(5000);
    expect(await lastEvent("token_refresh_failed")).toEqual({ error: "timeout" });
    stack.tokenDelayMs = 0;
    const again = await stack.call("google-analytics-sync", USER_A, {});
    expect(again.status, again.text).toBe(200);
  });
});
