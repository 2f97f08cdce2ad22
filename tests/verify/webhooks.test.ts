import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, denoEnv } from "../helpers/deno.js";
import { tempDir } from "../helpers/fixtures.js";
import { startStack, WEBHOOK_SECRET, type Stack } from "../helpers/oauth-stack.js";
import { rolesWriting } from "../helpers/role-probe.js";

/**
 * The advanced set's webhook function, run for real (hubspot: HubSpot's v3 signature with a timestamp)
 * behind the gateway stand-in, storing into PostgreSQL; then every signing scheme of the shared verifier,
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

describe("the webhook receiver's database role", () => {
  it("stores deliveries as nexus_integrate_wh_hubspot (its schema step 005), not as the owner it connects as", async () => {
    // A probe trigger records the role each stored delivery was inserted under.
    const roles = await rolesWriting(stack.db, [{ table: "nexus_integrate.hubspot_webhook_events", events: "insert" }], async () => {
      const body = JSON.stringify([{ eventId: 99, subscriptionType: "contact.creation", objectId: 99 }]);
      const res = await stack.call(FN, null, body, hubspotHeaders(body));
      expect(res.status, res.text).toBe(200);
    });
    expect(roles).toEqual(["nexus_integrate_wh_hubspot"]);
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
  it("accepts correct signatures and rejects wrong ones (github, slack, stripe, generic, intercom, zendesk, webflow, calendly, box, linear, helpscout)", async () => {
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
      // Intercom: X-Hub-Signature sha1=hex(HMAC-SHA1(client secret, body))
      ...(() => {
        const config = { scheme: "intercom", signatureHeader: "X-Hub-Signature", timestampHeader: null, toleranceSeconds: null };
        const sha1 = (key: string) => createHmac("sha1", key).update(body).digest("hex");
        return [
          { name: "intercom ok", config, headers: { "X-Hub-Signature": `sha1=${sha1(secret)}` }, ok: true },
          { name: "intercom wrong", config, headers: { "X-Hub-Signature": `sha1=${sha1("other")}` }, ok: false },
          { name: "intercom sha256 is not sha1", config, headers: { "X-Hub-Signature": `sha1=${hex(body)}` }, ok: false },
        ];
      })(),
      // Zendesk: base64(HMAC(secret, timestamp + body)), no separator; the timestamp is RFC 3339
      ...(() => {
        const config = { scheme: "zendesk", signatureHeader: "X-Zendesk-Webhook-Signature", timestampHeader: "X-Zendesk-Webhook-Signature-Timestamp", toleranceSeconds: 300 };
        const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
        const sig = (t: string, text = body) => createHmac("sha256", secret).update(`${t}${text}`).digest("base64");
        return [
          { name: "zendesk ok", config, headers: { "X-Zendesk-Webhook-Signature": sig(at(now)), "X-Zendesk-Webhook-Signature-Timestamp": at(now) }, ok: true },
          { name: "zendesk with a dot is not zendesk", config, headers: { "X-Zendesk-Webhook-Signature": sig(at(now), `.${body}`), "X-Zendesk-Webhook-Signature-Timestamp": at(now) }, ok: false },
          { name: "zendesk stale", config, headers: { "X-Zendesk-Webhook-Signature": sig(at(now - 600)), "X-Zendesk-Webhook-Signature-Timestamp": at(now - 600) }, ok: false },
          { name: "zendesk timestamp not a time", config, headers: { "X-Zendesk-Webhook-Signature": sig("soon"), "X-Zendesk-Webhook-Signature-Timestamp": "soon" }, ok: false },
        ];
      })(),
      // Webflow: hex(HMAC(client secret, "<ms timestamp>:<body>"))
      ...(() => {
        const config = { scheme: "webflow", signatureHeader: "x-webflow-signature", timestampHeader: "x-webflow-timestamp", toleranceSeconds: 300 };
        const ms = (seconds: number) => String(seconds * 1000);
        return [
          { name: "webflow ok", config, headers: { "x-webflow-signature": hex(`${ms(now)}:${body}`), "x-webflow-timestamp": ms(now) }, ok: true },
          { name: "webflow stale", config, headers: { "x-webflow-signature": hex(`${ms(now - 600)}:${body}`), "x-webflow-timestamp": ms(now - 600) }, ok: false },
          { name: "webflow timestamp swapped", config, headers: { "x-webflow-signature": hex(`${ms(now)}:${body}`), "x-webflow-timestamp": ms(now - 1) }, ok: false },
        ];
      })(),
      // Calendly: Calendly-Webhook-Signature t=<s>,v1=hex(HMAC(signing key, "<t>.<body>"))
      ...(() => {
        const config = { scheme: "calendly", signatureHeader: "Calendly-Webhook-Signature", timestampHeader: null, toleranceSeconds: 180 };
        return [
          { name: "calendly ok", config, headers: { "Calendly-Webhook-Signature": `t=${now},v1=${hex(`${now}.${body}`)}` }, ok: true },
          { name: "calendly stale", config, headers: { "Calendly-Webhook-Signature": `t=${now - 600},v1=${hex(`${now - 600}.${body}`)}` }, ok: false },
          { name: "calendly no t", config, headers: { "Calendly-Webhook-Signature": `v1=${hex(`.${body}`)}` }, ok: false },
        ];
      })(),
      // Box: base64(HMAC(key, body + BOX-DELIVERY-TIMESTAMP)) as -PRIMARY and -SECONDARY (one per key)
      ...(() => {
        const config = { scheme: "box", signatureHeader: "BOX-SIGNATURE-PRIMARY", timestampHeader: "BOX-DELIVERY-TIMESTAMP", toleranceSeconds: 600 };
        const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
        const sig = (t: string, key = secret) => createHmac("sha256", key).update(`${body}${t}`).digest("base64");
        return [
          { name: "box primary ok", config, headers: { "BOX-SIGNATURE-PRIMARY": sig(at(now)), "BOX-SIGNATURE-SECONDARY": sig(at(now), "other"), "BOX-DELIVERY-TIMESTAMP": at(now) }, ok: true },
          { name: "box secondary ok", config, headers: { "BOX-SIGNATURE-PRIMARY": sig(at(now), "other"), "BOX-SIGNATURE-SECONDARY": sig(at(now)), "BOX-DELIVERY-TIMESTAMP": at(now) }, ok: true },
          { name: "box neither", config, headers: { "BOX-SIGNATURE-PRIMARY": sig(at(now), "other"), "BOX-DELIVERY-TIMESTAMP": at(now) }, ok: false },
          { name: "box stale", config, headers: { "BOX-SIGNATURE-PRIMARY": sig(at(now - 900)), "BOX-DELIVERY-TIMESTAMP": at(now - 900) }, ok: false },
        ];
      })(),
      // Help Scout: X-HelpScout-Signature base64(HMAC-SHA1(secret key, body))
      ...(() => {
        const config = { scheme: "helpscout", signatureHeader: "X-HelpScout-Signature", timestampHeader: null, toleranceSeconds: null };
        const sha1 = (key: string) => createHmac("sha1", key).update(body).digest("base64");
        return [
          { name: "helpscout ok", config, headers: { "X-HelpScout-Signature": sha1(secret) }, ok: true },
          { name: "helpscout wrong", config, headers: { "X-HelpScout-Signature": sha1("other") }, ok: false },
          { name: "helpscout sha256 is not sha1", config, headers: { "X-HelpScout-Signature": createHmac("sha256", secret).update(body).digest("base64") }, ok: false },
        ];
      })(),
      // Linear: Linear-Signature hex(HMAC(secret, body)); the body's webhookTimestamp (ms) must be recent
      ...(() => {
        const config = { scheme: "linear", signatureHeader: "Linear-Signature", timestampHeader: null, toleranceSeconds: 60 };
        const fresh = JSON.stringify({ action: "create", type: "Issue", webhookTimestamp: now * 1000 });
        const old = JSON.stringify({ action: "create", type: "Issue", webhookTimestamp: (now - 600) * 1000 });
        return [
          { name: "linear ok", config, body: fresh, headers: { "Linear-Signature": hex(fresh) }, ok: true },
          { name: "linear stale", config, body: old, headers: { "Linear-Signature": hex(old) }, ok: false },
          { name: "linear no timestamp", config, headers: { "Linear-Signature": hex(body) }, ok: false },
        ];
      })(),
    ];
    const script = path.join(tempDir(), "schemes.ts");
    writeFileSync(
      script,
      `import { verifyWebhook } from ${JSON.stringify(path.join(stack.app, "supabase/functions/_shared/nexus-integrate/webhooks.ts"))};
const cases = ${JSON.stringify(cases)};
const out: Record<string, boolean> = {};
for (const c of cases) {
  const verdict = await verifyWebhook(c.config, ${JSON.stringify(secret)}, { method: "POST", url: "https://x.test/hook", headers: new Headers(c.headers), body: c.body ?? ${JSON.stringify(body)} }, new Date());
  out[c.name] = verdict.ok;
}
console.log(JSON.stringify(out));`,
    );
    const result = await execa(DENO, ["run", "--no-config", "--node-modules-dir=none", "--quiet", script], { env: denoEnv() });
    expect(JSON.parse(result.stdout)).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.ok])));
  });
});

describe("Notion's verification_token", () => {
  it("is logged whole only while the secret is the setup placeholder, when every delivery is refused; then only as a fingerprint", async () => {
    const real = "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl";
    const delivery = JSON.stringify({ id: "evt-1", type: "page.created" });
    const signed = (secret: string) => `sha256=${createHmac("sha256", secret).update(delivery).digest("hex")}`;
    const script = path.join(tempDir(), "notion.ts");
    writeFileSync(
      script,
      `import { createWebhookHandler } from ${JSON.stringify(path.join(stack.app, "supabase/functions/_shared/nexus-integrate/webhooks.ts"))};
const logs: string[] = [];
console.log = (...parts: unknown[]) => void logs.push(parts.map(String).join(" "));
const stored: unknown[] = [];
const store = { insertWebhookEvent: async (_t: string, _k: string, payload: unknown) => (stored.push(payload), true) };
const handler = (secret: string) => createWebhookHandler({
  providerId: "notion", secret, table: "nexus_integrate.notion_webhook_events", store: store as never, now: () => new Date(),
  publicUrl: "https://ref.supabase.co/functions/v1/notion-webhooks",
  config: { scheme: "notion", signatureHeader: "X-Notion-Signature", timestampHeader: null, toleranceSeconds: null, signatureEncoding: "hex" },
});
const post = (secret: string, body: string, headers: Record<string, string> = {}) =>
  handler(secret)(new Request("http://localhost:9999/notion-webhooks", { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } }));
const out: Record<string, unknown> = {};
out.setup = (await post("awaiting-verification", JSON.stringify({ verification_token: ${JSON.stringify(real)} }))).status;
out.setupLog = logs.splice(0);
// the placeholder is public: a delivery "signed" with it is refused, and nothing is stored
out.forged = (await post("awaiting-verification", ${JSON.stringify(delivery)}, { "X-Notion-Signature": ${JSON.stringify(signed("awaiting-verification"))} })).status;
out.afterReal = (await post(${JSON.stringify(real)}, JSON.stringify({ verification_token: ${JSON.stringify(real)} }))).status;
out.afterRealLog = logs.splice(0);
out.injected = (await post(${JSON.stringify(real)}, JSON.stringify({ verification_token: "secret_attacker" }))).status;
out.injectedLog = logs.splice(0);
out.delivery = (await post(${JSON.stringify(real)}, ${JSON.stringify(delivery)}, { "X-Notion-Signature": ${JSON.stringify(signed(real))} })).status;
out.stored = stored.length;
console.error(JSON.stringify(out));`,
    );
    const result = await execa(DENO, ["run", "--no-config", "--node-modules-dir=none", "--quiet", script], { env: denoEnv() });
    const out = JSON.parse(result.stderr) as { setup: number; setupLog: string[]; forged: number; afterReal: number; afterRealLog: string[]; injected: number; injectedLog: string[]; delivery: number; stored: number };
    expect(out.setup).toBe(200);
    expect(out.setupLog.join("\n")).toContain(real);
    expect(out.forged).toBe(401);
    expect(out.afterReal).toBe(200);
    expect(out.afterRealLog.join("\n")).not.toContain(real);
    expect(out.afterRealLog.join("\n")).toMatch(/sha256:[0-9a-f]{12}, the configured secret/);
    expect(out.injected).toBe(200);
    expect(out.injectedLog.join("\n")).not.toContain("secret_attacker");
    expect(out.injectedLog.join("\n")).toContain("not the configured secret");
    expect(out.delivery).toBe(200);
    expect(out.stored).toBe(1);
  });
});
