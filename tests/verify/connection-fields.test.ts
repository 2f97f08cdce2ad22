import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSpecFile } from "../helpers/generate.js";
import { CLIENT_ID, startStack, USER_A, type Stack } from "../helpers/oauth-stack.js";

/**
 * Per-connection values, run for real: QuickBooks-style `realmId` from the callback and a Salesforce-style
 * `instance_url` (the API base) from the token response — which a query string from the browser cannot
 * override.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    preset: undefined,
    flags: {
      spec: writeSpecFile({
        id: "crm-fields",
        displayName: "CRM Fields",
        authorizationUrl: "https://placeholder.example/authorize",
        tokenUrl: "https://placeholder.example/token",
        apiBaseUrl: "https://default-api.example",
        scopes: ["read"],
        connectionFields: ["instance_url", "realmId"],
        sync: { path: "/company/{realmId}/items", itemsField: "items", baseUrlField: "instance_url" },
      }),
    },
    tokenExtras: (apiUrl) => ({ instance_url: `${apiUrl}/inst` }),
    callbackExtras: { realmId: "42" },
  });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe("per-connection fields", () => {
  it("keeps realmId from the callback and the API base from the token response, not from the browser", async () => {
    const utils = await import(pathToFileURL(path.join(stack.app, "src/services/integrations/crm-fields/utils.ts")).href);
    const start = await stack.call("crm-fields-exchange-tokens", USER_A, {
      action: "start",
      redirectUri: "http://localhost:5173/integrations/crm-fields/callback",
    });
    expect(start.status, start.text).toBe(200);
    const url = utils.createCRMFieldsAuthUrl({
      clientId: CLIENT_ID,
      redirectUri: start.body.redirectUri,
      state: start.body.state,
      codeChallenge: start.body.codeChallenge,
    });
    const redirect = new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!);
    // a user tampering with the callback tries to send the sync (and their token) elsewhere
    const callback = `${redirect.search}&instance_url=${encodeURIComponent("https://evil.example")}`;
    const exchange = await stack.call("crm-fields-exchange-tokens", USER_A, { action: "exchange", callback });
    expect(exchange.status, exchange.text).toBe(200);

    const { rows } = await stack.db.query<{ config: { fields: Record<string, string> } }>(
      "select config from public.nexus_user_integrations where user_id = $1",
      [USER_A],
    );
    expect(rows[0]!.config.fields).toEqual({ instance_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/inst$/), realmId: "42" });

    stack.apiQueue.push({ status: 200, body: { items: [{ id: "a" }, { id: "b" }, { id: "a" }] } });
    const sync = await stack.call("crm-fields-sync", USER_A);
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.synced).toBe(2); // the repeated id is stored once
    expect(stack.apiRequests.at(-1)!.path).toBe("/inst/company/42/items");
  });
});
