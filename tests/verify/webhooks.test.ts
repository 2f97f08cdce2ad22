import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, denoEnv } from "../helpers/deno.js";
import { tempDir } from "../helpers/fixtures.js";
import { startStack, WEBHOOK_SECRET, type Stack } from "../helpers/oauth-stack.js";

/**
 * The advanced set's webhook function, run for real (hubspot: HubSpot's v3 signature with a timestamp)
 * behind the gateway stand-in, storing into PGlite; then every signing scheme of the shared verifier,
 * checked against signatures computed independently here with Node's crypto.
 */
let stack: Stack;
const FN = "hubspot-webhooks";

beforeAll(async () => {
  stack = await startStack({ preset: "hubspot", flags: { template: "advanced", pkce: true } });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

function hubspotHeaders(body: string, options: { secret?: string; timestamp?: number; url?: string } = {}) {
  const timestamp = String(options.timestamp ?? Date.now());
  const url = options.url ?? `${stack.gatewayUrl}/functions/v1/${FN}`;
  const signature = createHmac("sha256", options.secret ?? WEBHOOK_SECRET).update(`POST${url}${body}${timestamp}`).digest("base64");
  return { "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp };
}

async function deliveries(): Promise<number> {
  const { rows } = await stack.db.query<{ n: number }>("select count(*)::int as n from nexus_integrate.hubspot_webhook_events");
  return rows[0]!.n;
}

describe("webhooks function (HubSpot v3 signature)", () => {
  it("accepts a delivery signed with the right secret and stores it", async () => {
    const body = JSON.stringify([{ eventId: 1, subscriptionType: "contact.creation", objectId: 42 }]);
    const res = await stack.call(FN, null, body, hubspotHeaders(body));
    expect(res.status, res.text).toBe(200);
    const { rows } = await stack.db.query<{ payload: unknown }>("select payload from nexus_integrate.hubspot_webhook_events");
    expect(rows.at(-1)!.payload).toEqual([{ eventId: 1, subscriptionType: "contact.creation", objectId: 42 }]);
  });

  it("rejects a wrong secret, a stale timestamp and a tampered body; stores a replay once", async () => {
    const before = await deliveries();
    const body = JSON.stringify([{ eventId: 2 }]);
    const wrong = await stack.call(FN, null, body, hubspotHeaders(body, { secret: "not-the-secret" }));
    expect([wrong.status, wrong.body.error]).toEqual([401, "invalid_signature"]);
    const stale = await stack.call(FN, null, body, hubspotHeaders(body, { timestamp: Date.now() - 10 * 60_000 }));
    expect(stale.status).toBe(401);
    expect(stale.body.message).toContain("stale timestamp");
    const tampered = await stack.call(FN, null, body.replace("2", "3"), hubspotHeaders(body));
    expect(tampered.status).toBe(401);
    expect(await deliveries()).toBe(before);

    const headers = hubspotHeaders(body);
    expect((await stack.call(FN, null, body, headers)).status).toBe(200);
    const replay = await stack.call(FN, null, body, headers);
    // a duplicate is answered as accepted (providers retry and disable endpoints on failures) and not stored again
    expect([replay.status, replay.body]).toEqual([200, { received: true, duplicate: true }]);
    // the same delivery with the signature spelled differently (base64 decoders skip whitespace) is still a replay
    const respelled = { ...headers, "X-HubSpot-Signature-v3": ` ${headers["X-HubSpot-Signature-v3"]}` };
    expect((await stack.call(FN, null, body, respelled)).body).toEqual({ received: true, duplicate: true });
    expect(await deliveries()).toBe(before + 1);
  });
});

describe("the URL HubSpot signs, on hosted Supabase", () => {
  // The gateway stand-in hands a function only /<function name>, as Supabase's does; the function must sign-check the
  // URL HubSpot called, which it builds from SUPABASE_URL (or the custom-domain override).
  it("a delivery signed for https://<ref>.supabase.co/functions/v1/hubspot-webhooks verifies", async () => {
    const hosted = await stack.instanceWith({ GATEWAY_PUBLIC_URL: "https://abcdefghijklmnopqrst.supabase.co" });
    const body = JSON.stringify([{ eventId: 7, subscriptionType: "contact.creation", objectId: 7 }]);
    const signed = hubspotHeaders(body, { url: `https://abcdefghijklmnopqrst.supabase.co/functions/v1/${FN}` });
    const res = await hosted(FN, null, body, signed);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ received: true });
    // signed for the URL the function itself sees, it is refused
    const inner = await hosted(FN, null, body, hubspotHeaders(body, { url: `http://localhost:9999/${FN}` }));
    expect(inner.status).toBe(401);
  });

  it("behind a custom domain, HUBSPOT_WEBHOOK_URL is the URL checked (with the query string HubSpot sent)", async () => {
    const custom = await stack.instanceWith({ HUBSPOT_WEBHOOK_URL: "https://api.example.com/hooks/hubspot" });
    const body = JSON.stringify([{ eventId: 8 }]);
    const ok = await custom(`${FN}?portal=42`, null, body, hubspotHeaders(body, { url: "https://api.example.com/hooks/hubspot?portal=42" }));
    expect(ok.status, ok.text).toBe(200);
    const projectUrl = await custom(FN, null, body, hubspotHeaders(body));
    expect(projectUrl.status).toBe(401);
  });
});

describe("every signing scheme", () => {
  it("accepts correct signatures and rejects wrong ones (github, slack, stripe, generic)", async () => {
    const secret = "s3cret";
    const body = '{"hello":"world"}';
    const now = Math.floor(Date.now() / 1000);
    const hex = (message: string, key = secret) => createHmac("sha256", key).update(message).digest("hex");
    const cases = [
      { name: "github ok", config: { scheme: "github-sha256", signatureHeader: "X-Hub-Signature-256", timestampHeader: null, toleranceSeconds: null }, headers: { "X-Hub-Signature-256": `sha256=${hex(body)}` }, ok: true },
      { name: "github wrong", config: { scheme: "github-sha256", signatureHeader: "X-Hub-Signature-256", timestampHeader: null, toleranceSeconds: null }, headers: { "X-Hub-Signature-256": `sha256=${hex(body, "other")}` }, ok: false },
      { name: "slack ok", config: { scheme: "slack-v0", signatureHeader: "X-Slack-Signature", timestampHeader: "X-Slack-Request-Timestamp", toleranceSeconds: 300 }, headers: { "X-Slack-Signature": `v0=${hex(`v0:${now}:${body}`)}`, "X-Slack-Request-Timestamp": String(now) }, ok: true },
      { name: "slack stale", config: { scheme: "slack-v0", signatureHeader: "X-Slack-Signature", timestampHeader: "X-Slack-Request-Timestamp", toleranceSeconds: 300 }, headers: { "X-Slack-Signature": `v0=${hex(`v0:${now - 600}:${body}`)}`, "X-Slack-Request-Timestamp": String(now - 600) }, ok: false },
      { name: "stripe ok", config: { scheme: "stripe", signatureHeader: "Stripe-Signature", timestampHeader: null, toleranceSeconds: 300 }, headers: { "Stripe-Signature": `t=${now},v1=${hex(`${now}.${body}`)},v0=ignored` }, ok: true },
      { name: "stripe wrong", config: { scheme: "stripe", signatureHeader: "Stripe-Signature", timestampHeader: null, toleranceSeconds: 300 }, headers: { "Stripe-Signature": `t=${now},v1=${hex(`${now + 1}.${body}`)}` }, ok: false },
      // Stripe's timestamp is inside its signature header (t=…), not a header of its own: the window applies all the same
      { name: "stripe stale", config: { scheme: "stripe", signatureHeader: "Stripe-Signature", timestampHeader: null, toleranceSeconds: 300 }, headers: { "Stripe-Signature": `t=${now - 600},v1=${hex(`${now - 600}.${body}`)}` }, ok: false },
      { name: "generic ok", config: { scheme: "generic-hmac-sha256", signatureHeader: "X-Webhook-Signature", timestampHeader: "X-Webhook-Timestamp", toleranceSeconds: 300 }, headers: { "X-Webhook-Signature": hex(`${now}.${body}`), "X-Webhook-Timestamp": String(now) }, ok: true },
      { name: "generic missing", config: { scheme: "generic-hmac-sha256", signatureHeader: "X-Webhook-Signature", timestampHeader: "X-Webhook-Timestamp", toleranceSeconds: 300 }, headers: {}, ok: false },
      { name: "generic without its timestamp", config: { scheme: "generic-hmac-sha256", signatureHeader: "X-Webhook-Signature", timestampHeader: "X-Webhook-Timestamp", toleranceSeconds: 300 }, headers: { "X-Webhook-Signature": hex(body) }, ok: false },
      { name: "generic base64 ok", config: { scheme: "generic-hmac-sha256", signatureHeader: "intuit-signature", timestampHeader: null, toleranceSeconds: null, signatureEncoding: "base64" }, headers: { "intuit-signature": createHmac("sha256", secret).update(body).digest("base64") }, ok: true },
      { name: "github upper-case hex ok", config: { scheme: "github-sha256", signatureHeader: "X-Hub-Signature-256", timestampHeader: null, toleranceSeconds: null }, headers: { "X-Hub-Signature-256": `sha256=${hex(body).toUpperCase()}` }, ok: true },
    ];
    const script = path.join(tempDir(), "schemes.ts");
    writeFileSync(
      script,
      `import { verifyWebhook } from ${JSON.stringify(path.join(stack.app, "supabase/functions/_shared/nexus-integrate/webhooks.ts"))};
const cases = ${JSON.stringify(cases)};
const out: Record<string, boolean> = {};
for (const c of cases) {
  const verdict = await verifyWebhook(c.config, ${JSON.stringify(secret)}, { method: "POST", url: "https://x.test/hook", headers: new Headers(c.headers), body: ${JSON.stringify(body)} }, new Date());
  out[c.name] = verdict.ok;
}
console.log(JSON.stringify(out));`,
    );
    const result = await execa(DENO, ["run", "--no-config", "--node-modules-dir=none", "--quiet", script], { env: denoEnv() });
    expect(JSON.parse(result.stdout)).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.ok])));
  });
});
