import { createHash, createHmac, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadPreset } from "../../src/spec/presets.js";

/**
 * Provider doubles: one local stand-in per preset, built from that provider's documented behaviour (each
 * behaviour names its documentation), all served by one HTTP server on 127.0.0.1 under /<preset>/…:
 *   - authorize: checks client_id, redirect URI, the scope parameter (none for scope-less providers) and PKCE;
 *   - token: the client authentication the provider documents (Basic or body), single-use codes bound to their
 *     redirect URI and PKCE challenge, the provider's token response fields (Slack's ok/bot token, HubSpot's
 *     `scopes` array, Salesforce's instance_url and no expires_in, ID tokens for openid), its refresh rules
 *     (rotating, stable, none) and its error shapes (Slack's HTTP 200 ok:false, HubSpot's status, GitHub's HTTP
 *     200 `error`);
 *   - the API the preset syncs, in the provider's list shape, and its answer to a dead token;
 *   - userinfo and revocation where the provider has them;
 *   - the provider's webhook signature and registration handshake (for the test to send).
 */
export const DOUBLE_CLIENT_ID = "double-client";
export const DOUBLE_CLIENT_SECRET = randomBytes(12).toString("hex");

type Json = Record<string, unknown>;
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Grant {
  /** The integration id, from the redirect URI's path (/integrations/<id>/callback). */
  integration: string;
  accessToken: string;
  refreshToken: string | null;
  /** Set when the access token is past its lifetime at the provider. */
  accessExpired: boolean;
  /** Set when the user revoked the app (every token of the grant is dead). */
  revoked: boolean;
  refreshes: number;
  spentRefreshTokens: Set<string>;
  /** How many items this grant's account lists (default: the integration's, or 3). */
  items?: number;
  /** Items changed since the account was listed in full, by index (1-based): the time of the change. */
  changed?: Map<number, number>;
  /** Items deleted, by index: the time of the deletion (listed as deletions by providers that report them). */
  deleted?: Map<number, number>;
}

export interface WebhookDelivery {
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

export interface WebhookDouble {
  /** A signed delivery of `body` for the function at `url`. */
  sign(body: string, secret: string, url: string): WebhookDelivery;
  /** An event body as the provider sends it. */
  event(n: number): string;
  /** The provider signs a retry again (a new timestamp) and names its events: a retry must still be one event. */
  retryResigns?: boolean;
  /** The registration handshake: the request the provider sends and how it checks the answer. */
  handshake?: (secret: string) => {
    method: "GET" | "POST";
    query?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
    expect(response: { status: number; text: string; headers: Headers }): void;
    /** For a signed handshake: the same request badly signed must be refused with this answer. */
    refusedWith?: { status: number; empty: boolean };
  };
  /** What the function answers to an accepted delivery. */
  acceptedStatus: number;
  /** Whether a rejected delivery's answer has an empty body (Xero). */
  emptyRejection?: boolean;
}

export interface PageContext {
  origin: string;
  /** How many items the whole listing has (page counts and totals). */
  total: number;
  /** The request this page answers (its query is kept in next links, as providers do). */
  url: URL;
}

/** Paged doubles answer two items a page, so three items take two requests (the sync benchmark sets 100). */
export const paging = { size: 2 };

export interface ProviderBehaviour {
  preset: string;
  docs: string;
  clientAuth: "basic" | "post";
  refresh: "rotating" | "stable" | "none";
  expiresIn: number | null;
  /** Extra token response fields (connection values, provider ids). */
  tokenFields?: (ctx: { origin: string }) => Json;
  /** The success answer's shape, from the standard fields. */
  tokenShape?: (standard: Json) => Json;
  /** The provider's answer to a dead or spent refresh token. */
  deadRefresh: Reply;
  /** The provider's answer to an unknown or spent code. */
  badCode?: Reply;
  callbackExtras?: Record<string, string>;
  /** The token endpoint reads JSON only (Zendesk, Webflow): a form is refused. */
  tokenRequest?: "json";
  /** The status of a token answer (Zendesk: 201 Created). */
  tokenStatus?: number;
  tokenType?: string;
  idToken?: { issuer: string | "origin" };
  /**
   * The list response for these items; `next` is the offset of the next page (null on the last one), written
   * the way the provider writes its cursor.
   */
  list(items: Json[], next: number | null, ctx: PageContext): unknown;
  /** Paged APIs: where a request starts (the offset it asks for) and the headers a page carries. */
  pages?: {
    offset(req: { url: URL; json: Json | null }, all: Json[]): number;
    headers?(next: number | null, ctx: PageContext): Record<string, string>;
  };
  item(n: number): Json;
  /** The provider's answer to an API call with a dead token. */
  deadToken: Reply;
  /** Headers the API requires (Notion-Version), checked on every call. */
  requiredHeaders?: string[];
  method?: "GET" | "POST";
  /** The Authorization scheme userinfo takes the token in (Mailchimp's metadata: `OAuth`); Bearer otherwise. */
  userinfoScheme?: "OAuth";
  /** The userinfo answer (a function where it names the double's own hosts, as Mailchimp's metadata does). */
  userinfo?: Json | unknown[] | ((ctx: { origin: string }) => unknown);
  revocation?: boolean;
  webhook?: WebhookDouble;
  /** The provider's answer when a long rate limit is exhausted, where it documents how long to wait. */
  rateLimit?: { reply: Reply; docs: string };
  /**
   * How the listed API reports changes since a point (the preset's sync.incremental): `since`, a time
   * parameter (only items changed after it); `token`, a sync token the last page carries (`field`) and the next
   * listing sends back (`param`), listing changes and deletions (`deleted`) since it was issued.
   */
  changes?:
    | { style: "since"; param: string; docs: string; format?: "epoch" | "epoch-ms" }
    | { style: "token"; param: string; field: string; deleted: (item: Json) => Json; docs: string };
  /** An item as listed at a time of change (its modification field). */
  stamp?: (item: Json, at: number) => Json;
}

/**
 * When set, Microsoft's double points @odata.nextLink and @odata.deltaLink, and GitHub's its Link rel="next", at this
 * origin (a next page the sync must not follow, a delta link it must not keep).
 */
let nextLinkOrigin: string | null = null;
export function pointNextLinkAt(origin: string | null): void {
  nextLinkOrigin = origin;
}

const hex = (secret: string, message: string) => createHmac("sha256", secret).update(message).digest("hex");
const b64 = (secret: string, message: string) => createHmac("sha256", secret).update(message).digest("base64");
const now = () => Math.floor(Date.now() / 1000);
const oauthError = (error: string, description: string, status = 400): Reply => ({ status, body: { error, error_description: description } });

/** Every preset's behaviour, with where it is documented. */
export const BEHAVIOURS: Record<string, ProviderBehaviour> = {
  airtable: {
    preset: "airtable",
    docs: "https://airtable.com/developers/web/api/oauth-reference",
    clientAuth: "basic",
    refresh: "rotating", // https://github.com/Airtable/oauth-example: each refresh answer carries a new refresh token
    expiresIn: 3600,
    tokenFields: () => ({ refresh_expires_in: 5184000 }),
    deadRefresh: oauthError("invalid_grant", "The refresh token has already been used or has expired"),
    // https://airtable.com/developers/web/api/list-bases: `offset` sent back as ?offset=; absent on the last page
    list: (items, next) => ({ bases: items, ...(next === null ? {} : { offset: `itr23sEjsdfEr3282/appSW9R5uCNmRmfl-${next}` }) }),
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("offset") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: `appLkNDICXNqxSDh${n}`, name: `Base ${n}`, permissionLevel: "create" }),
    // the exact 401 body is not documented (https://airtable.com/developers/web/api/errors)
    deadToken: { status: 401, body: { error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" } } },
    userinfo: { id: "usrL2PNC5o3H4lBEi" },
  },
  asana: {
    preset: "asana",
    docs: "https://developers.asana.com/docs/oauth",
    // https://developers.asana.com/docs/rate-limits: 429 with Retry-After
    rateLimit: { docs: "https://developers.asana.com/docs/rate-limits", reply: { status: 429, headers: { "Retry-After": "90" }, body: { errors: [{ message: "You have made too many requests recently. Please, be chill." }] } } },
    clientAuth: "post",
    refresh: "stable", // a refresh answer carries no new refresh_token
    expiresIn: 3600,
    tokenFields: () => ({ data: { id: 4673218951, gid: "4673218951", name: "Greg Sanchez", email: "gsanchez@example.com" } }),
    deadRefresh: oauthError("invalid_grant", "refresh_token is invalid"), // the shape is not documented: RFC 6749 assumed
    // https://developers.asana.com/reference/getworkspaces: the exchange keeps data[0].gid as the connection's workspace
    userinfo: { data: [{ gid: "1200000000000001", name: "Acme", resource_type: "workspace" }] },
    // https://developers.asana.com/docs/pagination: next_page.offset, sent back as offset; next_page null at the end
    list: (items, next) => ({ data: items, next_page: next === null ? null : { offset: `eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9-${next}`, path: "/projects", uri: "https://app.asana.com/api/1.0/projects" } }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("offset") ?? "")?.[1] ?? 0) },
    item: (n) => ({ gid: `12345${n}`, resource_type: "project", name: `Project ${n}` }),
    deadToken: { status: 401, body: { errors: [{ message: "Not Authorized" }] } },
    revocation: true,
  },
  atlassian: {
    preset: "atlassian",
    rateLimit: { docs: "https://developer.atlassian.com/cloud/jira/platform/rate-limiting/", reply: { status: 429, headers: { "Retry-After": "1800" }, body: { message: "Rate limit exceeded" } } },
    docs: "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/",
    clientAuth: "post",
    refresh: "rotating",
    expiresIn: 3600,
    deadRefresh: { status: 403, body: { error: "invalid_grant", error_description: "Unknown or invalid refresh token." } },
    list: (items) => items,
    item: (n) => ({ id: `site-${n}`, url: `https://site${n}.atlassian.net`, name: `Site ${n}`, scopes: ["read:jira-work"] }),
    deadToken: { status: 401, body: { code: 401, message: "Unauthorized" } },
    userinfo: { account_id: "acc-1", email: "a@example.com" },
  },
  docusign: {
    preset: "docusign",
    docs: "https://developers.docusign.com/platform/auth/reference/obtain-access-token/",
    clientAuth: "basic",
    refresh: "rotating", // "an access token and a new refresh token"; whether the old one stays valid is not documented
    expiresIn: 28800,
    tokenType: "Bearer",
    deadRefresh: oauthError("invalid_grant", "expired_client_token"),
    // https://developers.docusign.com/platform/auth/reference/user-info/: the user's accounts, each with its API
    // server; the exchange keeps the default one's account_id and base_uri (the first listed is not the default).
    userinfo: ({ origin }) => ({
      sub: "4799e5e9-1559-4915-9862-cf4713bbcacc",
      name: "Susan Smart",
      email: "susan.smart@example.com",
      accounts: [
        { account_id: "18b4799a-b53a-4475-ae9b-0000000000aa", is_default: false, account_name: "Other Account", base_uri: "https://eu.docusign.net" },
        { account_id: "18b4799a-b53a-4475-ae9b-c1ee5d8e6f2b", is_default: true, account_name: "Susan Smart", base_uri: `${origin}/docusign/instance` },
      ],
    }),
    // https://developers.docusign.com/docs/esign-rest-api/reference/templates/templates/list/: start_position and
    // count, the sizes as strings, nextUri null on the last page
    list: (items, next, { url, total }) => {
      const start = Number(url.searchParams.get("start_position") ?? 0);
      return {
        resultSetSize: String(items.length),
        startPosition: String(start),
        endPosition: String(start + items.length - 1),
        totalSetSize: String(total),
        nextUri: next === null ? null : `/accounts/18b4799a-b53a-4475-ae9b-c1ee5d8e6f2b/templates?start_position=${next}&count=${paging.size}`,
        previousUri: null,
        ...(items.length > 0 ? { envelopeTemplates: items } : {}),
      };
    },
    pages: { offset: ({ url }) => Number(url.searchParams.get("start_position") ?? 0) },
    item: (n) => ({ templateId: `8e8d4a0f-0f11-4c28-8f6b-0000000000${n.toString().padStart(2, "0")}`, name: `Template ${n}`, shared: "false", lastModified: "2026-03-14T17:00:00.0000000Z" }),
    changes: { style: "since", param: "modified_from_date", docs: "https://developers.docusign.com/docs/esign-rest-api/reference/templates/templates/list/" },
    stamp: (item, at) => ({ ...item, lastModified: new Date(at).toISOString() }),
    // https://developers.docusign.com/docs/esign-rest-api/esign101/error-codes/troubleshooting-common-errors/
    deadToken: { status: 401, body: { errorCode: "AUTHORIZATION_INVALID_TOKEN", message: "The access token provided is expired, revoked or malformed." } },
    webhook: {
      // https://developers.docusign.com/platform/webhooks/connect/validate/: X-DocuSign-Signature-1 is
      // base64(HMAC-SHA256(Connect HMAC key, raw body)); no timestamp header
      sign: (body, secret) => ({ method: "POST", headers: { "X-DocuSign-Signature-1": b64(secret, body), "X-Authorization-Digest": "HMACSHA256", "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ event: "envelope-completed", apiVersion: "v2.1", uri: `/restapi/v2.1/accounts/18b4799a-b53a-4475-ae9b-c1ee5d8e6f2b/envelopes/93be49ab-0000-0000-0000-00000000000${n}`, retryCount: 0, configurationId: 10418, generatedDateTime: "2026-03-14T17:00:00.0000000Z", data: { accountId: "18b4799a-b53a-4475-ae9b-c1ee5d8e6f2b", userId: "4799e5e9-1559-4915-9862-cf4713bbcacc", envelopeId: `93be49ab-0000-0000-0000-00000000000${n}` } }),
      acceptedStatus: 200,
    },
  },
  dropbox: {
    preset: "dropbox",
    rateLimit: { docs: "https://developers.dropbox.com/error-handling-guide", reply: { status: 429, headers: { "Retry-After": "300" }, body: { error_summary: "too_many_requests/", error: { reason: { ".tag": "too_many_requests" }, retry_after: 300 } } } },
    docs: "https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token",
    clientAuth: "basic",
    refresh: "stable", // "the refresh token … does not expire"; refresh answers carry no new one
    expiresIn: 14400,
    revocation: true,
    deadRefresh: oauthError("invalid_grant", "refresh token is invalid or revoked"),
    tokenFields: () => ({ account_id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", uid: "12345" }),
    // https://www.dropbox.com/developers/documentation/http/documentation#files-list_folder-continue
    list: (items, next) => ({ entries: items, cursor: `AAHmPGbk${next ?? "end"}`, has_more: next !== null }),
    pages: { offset: ({ json }) => Number(/(\d+)$/.exec(String(json?.cursor ?? ""))?.[1] ?? 0) },
    item: (n) => ({ ".tag": "file", id: `id:a4ayc_80_OEAAAAAAAAAX${n}`, name: `doc-${n}.txt` }),
    deadToken: { status: 401, body: { error_summary: "expired_access_token/", error: { ".tag": "expired_access_token" } } },
    method: "POST",
    webhook: {
      // https://www.dropbox.com/developers/reference/webhooks
      sign: (body, secret) => ({ method: "POST", headers: { "X-Dropbox-Signature": hex(secret, body), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ list_folder: { accounts: [`dbid:acct${n}`] }, delta: { users: [n] } }),
      handshake: () => {
        const challenge = randomBytes(8).toString("hex");
        return {
          method: "GET",
          query: { challenge },
          expect: (res) => {
            if (res.status !== 200 || res.text !== challenge) throw new Error(`challenge not echoed: ${res.status} ${res.text}`);
            if (!res.headers.get("content-type")?.startsWith("text/plain")) throw new Error("challenge not text/plain");
            if (res.headers.get("x-content-type-options") !== "nosniff") throw new Error("no X-Content-Type-Options: nosniff");
          },
        };
      },
      acceptedStatus: 200,
    },
  },
  attio: {
    preset: "attio",
    docs: "https://docs.attio.com/docs/oauth/token",
    clientAuth: "post",
    refresh: "none", // the token answer is {access_token, token_type}: no expiry, no refresh token
    expiresIn: null,
    tokenType: "Bearer",
    deadRefresh: oauthError("invalid_grant", "no refresh tokens"),
    // https://docs.attio.com/rest-api/endpoint-reference/records/list-records: POST a query with limit and offset,
    // {data: [...]}: no cursor or total, the list ends with a page that has fewer (here none)
    method: "POST",
    list: (items) => ({ data: items }),
    pages: { offset: ({ json }) => Number(json?.offset ?? 0) },
    item: (n) => ({
      id: { workspace_id: "14beef7a-99f7-4534-a87e-70b564330a4c", object_id: "97052eb9-e65e-443f-a297-f2d9a4a7f795", record_id: `bf071e1f-6035-429d-b874-d83ea64ea13${n}` },
      created_at: "2022-11-21T13:22:49.061281000Z",
      web_url: `https://app.attio.com/acme/person/bf071e1f-6035-429d-b874-d83ea64ea13${n}`,
      values: { name: [{ full_name: `Person ${n}`, attribute_type: "personal-name" }] },
    }),
    // the exact 401 body is not documented; Attio's error envelope is {status_code, type, code, message}
    deadToken: { status: 401, body: { status_code: 401, type: "auth_error", code: "unauthorized", message: "The access token is invalid" } },
    userinfo: { active: true, scope: "record_permission:read object_configuration:read", workspace_id: "14beef7a-99f7-4534-a87e-70b564330a4c", workspace_name: "Acme" },
    revocation: true,
    webhook: {
      // https://docs.attio.com/rest-api/guides/webhooks: Attio-Signature = hex(HMAC-SHA256(webhook secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "Attio-Signature": hex(secret, body), "X-Attio-Signature": hex(secret, body), "Idempotency-Key": randomBytes(8).toString("hex"), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ webhook_id: "d9a1b7c2-5f4e-4b3a-9c8d-7e6f5a4b3c2d", events: [{ event_type: "record.updated", id: { workspace_id: "14beef7a", object_id: "97052eb9", record_id: `bf071e1f-${n}` } }] }),
      acceptedStatus: 200,
    },
  },
  calendly: {
    preset: "calendly",
    docs: "https://developer.calendly.com/creating-an-oauth-app",
    // https://developer.calendly.com/api-docs/overview/rate-limits: X-RateLimit-Reset is seconds until the reset
    rateLimit: { docs: "https://developer.calendly.com/api-docs/overview/rate-limits", reply: { status: 429, headers: { "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "60" }, body: { title: "Too Many Requests", message: "You have exceeded the rate limit" } } },
    clientAuth: "basic",
    refresh: "rotating", // https://developer.calendly.com/docs/authentication/refresh-token-rotation-guide: single-use refresh tokens
    expiresIn: 7200,
    tokenFields: () => ({ created_at: now(), owner: "https://api.calendly.com/users/EBHAAFHDCAEQTSEZ", organization: "https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ" }),
    tokenShape: (standard) => ({ ...standard, token_type: "Bearer", scope: "default" }),
    deadRefresh: oauthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked"), // not documented: RFC 6749 assumed
    // https://developer.calendly.com/api-docs/overview/api/api-conventions: pagination.next_page is the next page's URL, null at the end
    list: (items, next, { origin, url }) => {
      const page = (n: number) => {
        const link = new URL(url);
        link.searchParams.set("page_token", `sNjq4TvMDfUHEl7zHRR0k0E1PCEJWvdi-${n}`);
        return `${origin}${link.pathname}${link.search}`;
      };
      return { collection: items, pagination: { count: items.length, next_page: next === null ? null : page(next), previous_page: null, next_page_token: next === null ? null : `sNjq4TvMDfUHEl7zHRR0k0E1PCEJWvdi-${next}`, previous_page_token: null } };
    },
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("page_token") ?? "")?.[1] ?? 0) },
    item: (n) => ({ uri: `https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ${n}`, name: `15 Minute Meeting ${n}`, status: "active", start_time: "2026-03-14T17:00:00.000000Z", end_time: "2026-03-14T17:15:00.000000Z" }),
    // the 401 body is not documented
    deadToken: { status: 401, body: { title: "Unauthenticated", message: "The access token is invalid" } },
    userinfo: { resource: { uri: "https://api.calendly.com/users/EBHAAFHDCAEQTSEZ", name: "John Doe", email: "test@example.com", current_organization: "https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ" } },
    revocation: true,
    webhook: {
      // https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures: t=<seconds>,v1=hex(HMAC-SHA256(key, "t.body"))
      sign: (body, secret) => {
        const t = String(now());
        return { method: "POST", headers: { "Calendly-Webhook-Signature": `t=${t},v1=${hex(secret, `${t}.${body}`)}`, "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ event: "invitee.created", created_at: "2026-03-14T16:00:00.000000Z", created_by: "https://api.calendly.com/users/EBHAAFHDCAEQTSEZ", payload: { uri: `https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ/invitees/AAAA${n}`, email: "invitee@example.com", status: "active" } }),
      acceptedStatus: 200,
    },
  },
  bitbucket: {
    preset: "bitbucket",
    docs: "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    clientAuth: "basic",
    refresh: "rotating", // since 2026-05-04 each refresh answers a new refresh token
    expiresIn: 7200,
    tokenFields: () => ({ scope: "account repository", state: "authorization_code" }),
    deadRefresh: oauthError("invalid_grant", "Invalid refresh_token"), // not documented: RFC 6749 invalid_grant assumed
    // the exchange keeps values[0].workspace.slug (GET /2.0/user/workspaces) as the connection's workspace
    userinfo: { pagelen: 1, page: 1, size: 1, values: [{ type: "workspace_access", workspace: { type: "workspace", slug: "acme-team", uuid: "{2b2c6e41-8d0d-4f7a-9c3e-5b7f1d2e3a4b}", name: "Acme" } }] },
    // https://developer.atlassian.com/cloud/bitbucket/rest/intro/: next is the next page's URL, absent on the last page
    list: (items, next, { origin, url, total }) => {
      const link = new URL(url);
      link.searchParams.set("page", `${next}`);
      return { pagelen: paging.size, size: total, page: 1, values: items, ...(next === null ? {} : { next: `${origin}${link.pathname}${link.search}` }) };
    },
    pages: { offset: ({ url }) => Number(url.searchParams.get("page") ?? 0) },
    item: (n) => ({ type: "repository", uuid: `{7d1c9c4e-3b1a-4f3e-9a1d-2c3b4a5d6e7${n}}`, full_name: `acme-team/repo-${n}`, name: `repo-${n}`, is_private: true, updated_on: "2026-03-14T17:00:00.000000+00:00" }),
    deadToken: { status: 401, body: { type: "error", error: { message: "Access token expired. Use your refresh token to obtain a new access token." } } },
    webhook: {
      // https://bitbucket.org/blog/enhanced-webhook-security: X-Hub-Signature: sha256=hex(HMAC-SHA256(webhook secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "X-Hub-Signature": `sha256=${hex(secret, body)}`, "X-Event-Key": "repo:push", "X-Hook-UUID": "{d9b1e0a2-5c3f-4e6a-8b7d-1f2e3a4b5c6d}", "X-Request-UUID": randomUUID(), "X-Attempt-Number": "1", "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ actor: { type: "user", display_name: "Ada" }, repository: { type: "repository", full_name: `acme-team/repo-${n}`, uuid: `{7d1c9c4e-3b1a-4f3e-9a1d-2c3b4a5d6e7${n}}` }, push: { changes: [] } }),
      acceptedStatus: 200,
    },
  },
  box: {
    preset: "box",
    docs: "https://developer.box.com/guides/authentication/oauth2/without-sdk/",
    // https://developer.box.com/guides/api-calls/permissions-and-errors/rate-limits/
    rateLimit: { docs: "https://developer.box.com/guides/api-calls/permissions-and-errors/rate-limits/", reply: { status: 429, headers: { "Retry-After": "100" }, body: { type: "error", status: 429, code: "rate_limit_exceeded", message: "Request rate limit exceeded, please try again later", request_id: "abcdef123456" } } },
    clientAuth: "post",
    refresh: "rotating", // https://developer.box.com/guides/authentication/tokens/refresh/: each refresh token works once
    expiresIn: 3600,
    tokenFields: () => ({ issued_token_type: "urn:ietf:params:oauth:token-type:access_token", restricted_to: [] }),
    deadRefresh: oauthError("invalid_grant", "Refresh token has expired"),
    // https://developer.box.com/guides/api-calls/pagination/marker-based/: next_marker, sent back as marker; null at the end
    list: (items, next) => ({ limit: 1000, next_marker: next === null ? null : `JV9IRGZmieiBasejOG9yDCRNgd2ymoZIbjsx${next}`, prev_marker: null, entries: items }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("marker") ?? "")?.[1] ?? 0) },
    item: (n) => ({ type: "file", id: `1234${n}`, name: `Contract ${n}.pdf`, etag: "1", sequence_id: "3" }),
    deadToken: { status: 401, body: { type: "error", status: 401, code: "unauthorized", message: "Unauthorized", request_id: "abcdef123456" } },
    userinfo: { type: "user", id: "11446498", name: "Aaron Levie", login: "ceo@example.com" },
    revocation: true,
    webhook: {
      // https://developer.box.com/guides/webhooks/v2/signatures-v2/: base64(HMAC-SHA256(key, body + timestamp)), one
      // header per key (the primary and the secondary); the body's id stays the same on a retry
      sign: (body, secret) => {
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
        return {
          method: "POST",
          headers: { "BOX-DELIVERY-ID": randomBytes(8).toString("hex"), "BOX-DELIVERY-TIMESTAMP": at, "BOX-SIGNATURE-PRIMARY": b64(secret, `${body}${at}`), "BOX-SIGNATURE-SECONDARY": b64("box-secondary-key", `${body}${at}`), "BOX-SIGNATURE-VERSION": "1", "BOX-SIGNATURE-ALGORITHM": "HmacSHA256", "Content-Type": "application/json" },
          body,
        };
      },
      event: (n) => JSON.stringify({ type: "webhook_event", id: `eb0c4e06-751f-442c-86f8-fd5bb404dbe${n}`, created_at: "2026-07-11T10:10:32-07:00", trigger: "FILE.UPLOADED", webhook: { id: "53", type: "webhook" }, source: { id: `7383552147${n}`, type: "file" } }),
      retryResigns: true,
      acceptedStatus: 200,
    },
  },
  clickup: {
    preset: "clickup",
    docs: "https://developer.clickup.com/docs/authentication",
    // https://developer.clickup.com/docs/rate-limits: 429, X-RateLimit-Reset a Unix timestamp (the body is not documented)
    rateLimit: { docs: "https://developer.clickup.com/docs/rate-limits", reply: { status: 429, headers: { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "__IN_AN_HOUR__" }, body: { err: "Rate limit reached", ECODE: "APP_002" } } },
    clientAuth: "post",
    refresh: "none", // no refresh token and no expires_in
    expiresIn: null,
    // https://developer.clickup.com/reference/getaccesstoken: only the access token (no token_type)
    tokenShape: ({ access_token }) => ({ access_token }),
    deadRefresh: oauthError("invalid_grant", "no refresh tokens are issued"),
    // the exchange keeps teams[0].id (GET /team) as the connection's team_id
    userinfo: { teams: [{ id: "9011234567", name: "Acme Workspace", color: "#40BC86", members: [] }] },
    // https://developer.clickup.com/reference/getfilteredteamtasks: pages from 0, 100 tasks each; a short page is the last
    list: (items) => ({ tasks: items }),
    pages: { offset: ({ url }) => Number(url.searchParams.get("page") ?? 0) * paging.size },
    item: (n) => ({ id: `86b0${n}xz`, custom_id: null, name: `Task ${n}`, status: { status: "to do" }, date_created: "1567780450202", date_updated: "1567780450202" }),
    changes: { style: "since", param: "date_updated_gt", format: "epoch-ms", docs: "https://developer.clickup.com/reference/getfilteredteamtasks" },
    stamp: (item, at) => ({ ...item, date_updated: String(at) }),
    // https://developer.clickup.com/docs/common_errors: Token not found
    deadToken: { status: 401, body: { err: "Token invalid", ECODE: "OAUTH_025" } },
    webhook: {
      // https://developer.clickup.com/docs/webhooksignature: X-Signature: hex(HMAC-SHA256(webhook secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "X-Signature": hex(secret, body), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ webhook_id: "7689a169-a000-4985-8676-9902b96d6627", event: "taskUpdated", task_id: `86b0${n}xz`, history_items: [{ id: `280076313671714085${n}`, type: 1, date: "1642734631523", field: "status" }] }),
      acceptedStatus: 200,
    },
  },
  discord: {
    preset: "discord",
    docs: "https://discord.com/developers/docs/topics/oauth2",
    // https://discord.com/developers/docs/topics/rate-limits: 429 with Retry-After and retry_after in the body
    rateLimit: { docs: "https://discord.com/developers/docs/topics/rate-limits", reply: { status: 429, headers: { "Retry-After": "64", "X-RateLimit-Scope": "user" }, body: { message: "You are being rate limited.", retry_after: 64, global: false } } },
    clientAuth: "basic",
    refresh: "rotating", // a refresh answer carries a new refresh_token
    expiresIn: 604800,
    tokenType: "Bearer",
    deadRefresh: oauthError("invalid_grant", 'Invalid "refresh_token" in request'),
    badCode: oauthError("invalid_grant", 'Invalid "code" in request.'),
    // https://discord.com/developers/docs/resources/user#get-current-user-guilds: an array, 200 at most (no paging needed)
    list: (items) => items,
    item: (n) => ({ id: `8035111022467891${n}`, name: `Guild ${n}`, icon: null, owner: n === 1, permissions: "36953089", features: [] }),
    deadToken: { status: 401, body: { message: "401: Unauthorized", code: 0 } },
    userinfo: { id: "80351110224678912", username: "Nelly", global_name: null, discriminator: "1337" },
    revocation: true,
  },
  eventbrite: {
    preset: "eventbrite",
    docs: "https://www.eventbrite.com/platform/api#/introduction/authentication",
    clientAuth: "post",
    refresh: "none", // no refresh token and no lifetime: a token that stops working means a new authorization
    expiresIn: null,
    tokenShape: ({ access_token, token_type }) => ({ access_token, token_type }),
    deadRefresh: oauthError("invalid_grant", "no refresh tokens are issued"),
    // https://www.eventbrite.com/platform/api#/reference/organization/list-your-organizations: the exchange keeps
    // the first organization's id
    userinfo: { pagination: { object_count: 1, page_number: 1, page_size: 50, page_count: 1, has_more_items: false }, organizations: [{ id: "286391298123", name: "Acme Events", vertical: "default", image_id: null }] },
    // https://www.eventbrite.com/platform/api#/introduction/paginated-responses: continuation, sent back as
    // continuation while has_more_items; the last page keeps a continuation the sync must not follow
    list: (items, next, { total, url }) => {
      const at = Number(/-(\d+)$/.exec(url.searchParams.get("continuation") ?? "")?.[1] ?? 0);
      return {
        pagination: { object_count: total, page_number: at / paging.size + 1, page_size: paging.size, page_count: Math.ceil(total / paging.size), continuation: `dGhpcyBpcyBwYWdlIDE-${next ?? at + items.length}`, has_more_items: next !== null },
        events: items,
      };
    },
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("continuation") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: `71788046${n}`, name: { text: `Event ${n}`, html: `Event ${n}` }, status: "live", changed: "2026-03-14T17:00:00Z", organization_id: "286391298123" }),
    // https://www.eventbrite.com/platform/api#/introduction/errors: a bad token is a 400 INVALID_AUTH
    deadToken: { status: 400, body: { status_code: 400, error_description: "The OAuth token you provided was invalid.", error: "INVALID_AUTH" } },
  },
  github: {
    preset: "github",
    // The primary limit: 403 (or 429) with x-ratelimit-remaining 0 and the reset time, no Retry-After.
    rateLimit: {
      docs: "https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit",
      reply: { status: 403, headers: { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "__IN_AN_HOUR__" }, body: { message: "API rate limit exceeded for user ID 1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" } },
    },
    docs: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    clientAuth: "post",
    refresh: "none", // OAuth App tokens do not expire and come without a refresh token
    expiresIn: null,
    revocation: true,
    deadRefresh: { status: 200, body: { error: "bad_refresh_token", error_description: "The refresh token passed is incorrect or expired." } },
    // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
    badCode: { status: 200, body: { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." } },
    tokenShape: ({ access_token, token_type, scope }) => ({ access_token, token_type, scope }),
    // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api: Link rel="next"
    list: (items) => items,
    pages: {
      offset: ({ url }) => (Number(url.searchParams.get("page") ?? 1) - 1) * paging.size,
      headers: (next, { origin, url }): Record<string, string> => {
        if (next === null) return {};
        const page = (n: number) => {
          const link = new URL(`${nextLinkOrigin ?? origin}${url.pathname}${url.search}`);
          link.searchParams.set("page", String(n));
          return link.href;
        };
        return { Link: `<${page(next / paging.size + 1)}>; rel="next", <${page(2)}>; rel="last"` };
      },
    },
    item: (n) => ({ id: 1296269 + n, name: `repo-${n}`, full_name: `octocat/repo-${n}` }),
    // https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user: `since`
    changes: { style: "since", param: "since", docs: "https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user" },
    stamp: (item, at) => ({ ...item, updated_at: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") }),
    deadToken: { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } },
    userinfo: { id: 1, login: "octocat" },
    webhook: {
      // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries; a new hook gets a signed ping
      sign: (body, secret) => ({ method: "POST", headers: { "X-Hub-Signature-256": `sha256=${hex(secret, body)}`, "X-GitHub-Event": "push", "X-GitHub-Delivery": createHash("sha256").update(body).digest("hex").slice(0, 32), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ ref: "refs/heads/main", after: createHash("sha1").update(String(n)).digest("hex") }),
      acceptedStatus: 200,
    },
  },
  gitlab: {
    preset: "gitlab",
    // https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers: 429, Retry-After, RateLimit-*
    rateLimit: { docs: "https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers", reply: { status: 429, headers: { "Retry-After": "60", "RateLimit-Name": "throttle_authenticated_api", "RateLimit-Limit": "2000", "RateLimit-Remaining": "0" }, body: "Retry later" } },
    docs: "https://docs.gitlab.com/api/oauth2/",
    clientAuth: "post",
    refresh: "rotating", // each refresh returns a new refresh token and ends the old one
    expiresIn: 7200,
    tokenFields: () => ({ created_at: now() }),
    deadRefresh: oauthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
    badCode: oauthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
    // https://docs.gitlab.com/api/rest/#pagination: Link rel="next" with page and per_page
    list: (items) => items,
    pages: {
      offset: ({ url }) => (Number(url.searchParams.get("page") ?? 1) - 1) * paging.size,
      headers: (next, { origin, url }): Record<string, string> => {
        if (next === null) return { "x-next-page": "" };
        const link = new URL(`${origin}${url.pathname}${url.search}`);
        link.searchParams.set("page", String(next / paging.size + 1));
        return { Link: `<${link.href}>; rel="next"`, "x-next-page": String(next / paging.size + 1) };
      },
    },
    item: (n) => ({ id: 76 + n, iid: 6 + n, project_id: 1, title: `Issue ${n}`, state: "opened", web_url: `https://gitlab.example.com/g/p/-/issues/${6 + n}` }),
    // https://docs.gitlab.com/api/issues/#list-issues: updated_after
    changes: { style: "since", param: "updated_after", docs: "https://docs.gitlab.com/api/issues/#list-issues" },
    stamp: (item, at) => ({ ...item, updated_at: new Date(at).toISOString() }),
    deadToken: { status: 401, body: { error: "invalid_token", error_description: "Token is expired. You can either do re-authorization or token refresh." } },
    userinfo: { id: 1, username: "jsmith", name: "Jane Smith", state: "active" },
    revocation: true,
  },
  "google-analytics": google("google-analytics", (items) => ({ accountSummaries: items }), (n) => ({ name: `accountSummaries/${n}`, account: `accounts/${n}`, displayName: `Account ${n}` })),
  "google-workspace": {
    ...google("google-workspace", (items) => ({ kind: "calendar#events", items }), (n) => ({ kind: "calendar#event", id: `evt${n}`, summary: `Event ${n}` })),
    // https://developers.google.com/workspace/calendar/api/guides/sync: nextSyncToken on the last page; with
    // syncToken, changed events and deleted ones (status "cancelled").
    changes: {
      style: "token",
      param: "syncToken",
      field: "nextSyncToken",
      deleted: (item) => ({ kind: item.kind, id: item.id, status: "cancelled" }),
      docs: "https://developers.google.com/workspace/calendar/api/guides/sync",
    },
    stamp: (item, at) => ({ ...item, status: "confirmed", updated: new Date(at).toISOString() }),
  },
  gusto: {
    preset: "gusto",
    docs: "https://docs.gusto.com/app-integrations/docs/oauth2",
    // https://docs.gusto.com/app-integrations/docs/rate-limits: 429 until the window closes, Retry-After in seconds (the body is not documented)
    rateLimit: { docs: "https://docs.gusto.com/embedded-payroll/v2024-04-01/docs/rate-limits", reply: { status: 429, headers: { "Retry-After": "60" }, body: { errors: [{ error_key: "base", category: "rate_limit_exceeded", message: "Too Many Requests" }] } } },
    clientAuth: "post",
    tokenRequest: "json",
    refresh: "rotating", // the previous refresh token is revoked on the new access token's first use
    expiresIn: 7200,
    tokenFields: () => ({ scope: "employees:read companies:read", created_at: "2026-03-14T16:42:25.000-07:00" }),
    deadRefresh: oauthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked"), // not documented: RFC 6749 assumed
    requiredHeaders: ["x-gusto-api-version"],
    // the exchange keeps resource.uuid (GET /v1/token_info) as the connection's company_uuid
    userinfo: { scope: "employees:read companies:read", resource: { type: "Company", uuid: "5eca5127-a2b0-4b6e-9c33-ef4f2b5a1d9c" }, resource_owner: { type: "CompanyAdmin", uuid: "367871c2-b1b3-4f5e-8a7e-4d3c2b1a0f9e" } },
    // https://docs.gusto.com/app-integrations/docs/pagination: a bare array; page and per, the counts in X-Page / X-Total-Pages headers
    list: (items) => items,
    pages: {
      offset: ({ url }) => (Number(url.searchParams.get("page") ?? 1) - 1) * paging.size,
      headers: (_next, { url, total }) => ({ "X-Page": url.searchParams.get("page") ?? "1", "X-Per-Page": String(paging.size), "X-Total-Count": String(total), "X-Total-Pages": String(Math.ceil(total / paging.size)) }),
    },
    item: (n) => ({ uuid: `9779767c-6044-48e0-bf68-aeb370b9a2e${n}`, first_name: `Soren ${n}`, last_name: "Kierkegaard", email: `soren${n}@example.com`, terminated: false, version: "db0edd04aaac4506f7edab03ac855d56" }),
    // https://docs.gusto.com/app-integrations/docs/error-categories: invalid_token, 401
    deadToken: { status: 401, body: { errors: [{ error_key: "base", category: "invalid_token", message: "The access token is invalid or has expired" }] } },
  },
  helpscout: {
    preset: "helpscout",
    docs: "https://developer.helpscout.com/mailbox-api/overview/authentication/",
    // https://developer.helpscout.com/mailbox-api/overview/rate-limiting/: 429 with X-RateLimit-Retry-After (seconds)
    rateLimit: { docs: "https://developer.helpscout.com/mailbox-api/overview/rate-limiting/", reply: { status: 429, headers: { "X-RateLimit-Retry-After": "60", "X-RateLimit-Limit-Minute": "200", "X-RateLimit-Remaining-Minute": "0" }, body: { message: "Too many requests" } } },
    clientAuth: "post",
    refresh: "rotating", // a refresh answers a new refresh token with the new access token
    expiresIn: 172800, // two days, as integrators see it (https://github.com/HelpCode-ai/anythingmcp/pull/277)
    // not documented; seen as 400 invalid_request (https://github.com/helpscout/helpscout-api-php/issues/291)
    deadRefresh: oauthError("invalid_request", "Invalid refresh_token"),
    userinfo: { id: 1234, firstName: "Vernon", lastName: "Bear", email: "vbear@example.com", role: "owner", timezone: "America/New_York", type: "user" },
    // https://developer.helpscout.com/mailbox-api/endpoints/conversations/list/: HAL, numbered pages from 1 up
    // to page.totalPages; modifiedSince lists only what changed
    list: (items, _next, { total, url }) => ({
      _embedded: { conversations: items },
      _links: { self: { href: url.href } },
      page: { size: paging.size, totalElements: total, totalPages: Math.ceil(total / paging.size), number: Number(url.searchParams.get("page") ?? 1) },
    }),
    pages: { offset: ({ url }) => (Number(url.searchParams.get("page") ?? 1) - 1) * paging.size },
    item: (n) => ({ id: 10000 + n, number: 300 + n, subject: `Conversation ${n}`, status: "active", mailboxId: 85, userUpdatedAt: "2026-03-14T17:00:00Z" }),
    changes: { style: "since", param: "modifiedSince", docs: "https://developer.helpscout.com/mailbox-api/endpoints/conversations/list/" },
    stamp: (item, at) => ({ ...item, userUpdatedAt: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") }),
    deadToken: { status: 401, body: { error: "invalid_token", error_description: "The access token is invalid or has expired" } },
    webhook: {
      // https://developer.helpscout.com/webhooks/: X-HelpScout-Signature is base64(HMAC-SHA1(secret key, body));
      // X-HelpScout-Event names the event
      sign: (body, secret) => ({ method: "POST", headers: { "X-HelpScout-Signature": createHmac("sha1", secret).update(body).digest("base64"), "X-HelpScout-Event": "convo.created", "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ id: 10000 + n, number: 300 + n, subject: `Conversation ${n}`, status: "active", mailboxId: 85, _embedded: { threads: [] } }),
      acceptedStatus: 200,
    },
  },
  hubspot: {
    preset: "hubspot",
    docs: "https://developers.hubspot.com/docs/api-reference/2026-03/authentication/manage-oauth-tokens",
    clientAuth: "post",
    refresh: "stable",
    expiresIn: 1800,
    // The 2026-03 spec's error schema has no RFC `error` field; v1 answered {"status":"BAD_REFRESH_TOKEN"}.
    deadRefresh: { status: 400, body: { status: "BAD_REFRESH_TOKEN", message: "missing or invalid refresh token", correlationId: "c0ffee" } },
    tokenShape: ({ scope, ...rest }) => ({ ...rest, token_use: "access_token", hub_id: 62515, user_id: 1234, scopes: String(scope).split(" ") }),
    // https://developers.hubspot.com/docs/api-reference/crm-contracts-v3/search/post-crm-v3-objects-contracts-search
    list: (items, next) => ({ results: items, ...(next === null ? {} : { paging: { next: { after: String(next), link: `?after=${next}` } } }) }),
    pages: { offset: ({ url }) => Number(url.searchParams.get("after") ?? 0) },
    item: (n) => ({ id: String(5000 + n), properties: { email: `c${n}@example.com` }, archived: false }),
    deadToken: { status: 401, body: { status: "error", message: "The OAuth token used to make this call expired 5 minute(s) ago.", category: "EXPIRED_AUTHENTICATION" } },
    userinfo: { portalId: 62515, accountType: "STANDARD" },
    revocation: true,
    webhook: {
      // https://developers.hubspot.com/docs/api/webhooks/validating-requests (v3: method + URI + body + timestamp)
      sign: (body, secret, url) => {
        const timestamp = String(Date.now());
        return { method: "POST", headers: { "X-HubSpot-Signature-v3": b64(secret, `POST${url}${body}${timestamp}`), "X-HubSpot-Request-Timestamp": timestamp, "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify([{ eventId: n, subscriptionType: "contact.creation", objectId: 42 + n }]),
      retryResigns: true,
      acceptedStatus: 200,
    },
  },
  linkedin: {
    preset: "linkedin",
    docs: "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    clientAuth: "post",
    refresh: "none", // programmatic refresh tokens are for approved partners only
    expiresIn: 5184000,
    idToken: { issuer: "https://www.linkedin.com/oauth" },
    deadRefresh: oauthError("invalid_request", "refresh tokens are not enabled"),
    list: (items) => items[0],
    item: () => ({ sub: "782bbtaQ", name: "Ada Lovelace", email: "ada@example.com" }),
    deadToken: { status: 401, body: { serviceErrorCode: 65600, message: "Invalid access token", status: 401 } },
    userinfo: { sub: "782bbtaQ", name: "Ada Lovelace" },
    revocation: true,
    webhook: {
      // https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation
      sign: (body, secret) => ({ method: "POST", headers: { "X-LI-Signature": `hmacsha256=${hex(secret, body)}`, "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ type: "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", notificationId: n }),
      handshake: (secret) => {
        const challengeCode = `890e4665-${randomBytes(4).toString("hex")}`;
        return {
          method: "GET",
          query: { challengeCode },
          expect: (res) => {
            const body = JSON.parse(res.text) as Json;
            if (res.status !== 200 || !res.headers.get("content-type")?.includes("application/json")) throw new Error(`bad answer ${res.status}`);
            if (body.challengeCode !== challengeCode || body.challengeResponse !== hex(secret, challengeCode)) throw new Error(`bad challengeResponse: ${res.text}`);
          },
        };
      },
      acceptedStatus: 200,
    },
  },
  intercom: {
    preset: "intercom",
    docs: "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth",
    // https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting: 429 rate_limit_exceeded, X-RateLimit-Reset in epoch seconds
    rateLimit: { docs: "https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting", reply: { status: 429, headers: { "X-RateLimit-Limit": "166", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "__IN_AN_HOUR__" }, body: { type: "error.list", request_id: "req", errors: [{ code: "rate_limit_exceeded", message: "Exceeded rate limit of 167 in 10_seconds" }] } } },
    clientAuth: "post",
    refresh: "none", // no refresh token and no expires_in: a token lives until the app is uninstalled
    expiresIn: null,
    tokenShape: ({ access_token, token_type }) => ({ token_type, token: access_token, access_token }),
    deadRefresh: oauthError("invalid_grant", "no refresh tokens are issued"),
    // "Unauthorized Code" with HTTP 401; the body's exact shape is not documented
    badCode: { status: 401, body: { type: "error.list", request_id: "req", errors: [{ code: "unauthorized", message: "Unauthorized Code" }] } },
    requiredHeaders: ["intercom-version"],
    // https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/pagination: pages.next.starting_after; none on the last page
    list: (items, next, { total }) => ({ type: "list", data: items, total_count: total, pages: { type: "pages", page: 1, per_page: paging.size, total_pages: Math.ceil(total / paging.size), ...(next === null ? {} : { next: { per_page: paging.size, starting_after: `WzE3MTc0ODk5NjgwMDAsIjY2NjAzMDk3In0-${next}` } }) } }),
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("starting_after") ?? "")?.[1] ?? 0) },
    item: (n) => ({ type: "contact", id: `6657adc86abd0167d9419d2${n}`, role: "user", email: `joe${n}@example.com`, name: `Joe ${n}`, created_at: 1717489968, updated_at: 1717489968 }),
    // the OpenAPI's 401 for GET /contacts
    deadToken: { status: 401, body: { type: "error.list", request_id: "e097e446-9ae6-44a8-8e13-2bf3008b87ef", errors: [{ code: "unauthorized", message: "Access Token Invalid" }] } },
    userinfo: { type: "admin", id: "2633609", email: "admin@example.com", name: "Ciaran", email_verified: true, app: { type: "app", id_code: "drzzt019", name: "Acme", region: "US" } },
    webhook: {
      // https://developers.intercom.com/docs/references/webhooks/webhook-models: X-Hub-Signature: sha1=hex(HMAC-SHA1(client secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "X-Hub-Signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`, "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ type: "notification_event", id: `notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b${n}`, topic: "contact.user.created", app_id: "drzzt019", created_at: 1392731331, delivery_attempts: 1, first_sent_at: 1392731392, data: { item: { type: "contact", id: `6657adc86abd0167d9419d2${n}` } } }),
      acceptedStatus: 200,
    },
  },
  linear: {
    preset: "linear",
    docs: "https://linear.app/developers/oauth-2-0-authentication",
    clientAuth: "post",
    refresh: "rotating", // each refresh answer carries a new refresh token
    expiresIn: 86399,
    tokenShape: (standard) => ({ ...standard, token_type: "Bearer" }),
    deadRefresh: oauthError("invalid_grant", "Token has been expired or revoked."), // not documented by Linear: RFC 6749 assumed
    // https://linear.app/developers/pagination: POST the query; pageInfo.endCursor goes back as variables.after while hasNextPage
    method: "POST",
    list: (items, next) => ({ data: { issues: { nodes: items, pageInfo: { hasNextPage: next !== null, endCursor: items.length === 0 ? null : `c2a1d3f0-6c5e-4b7e-9e2f-${String(next ?? 0).padStart(12, "0")}` } } } }),
    pages: {
      offset: ({ json }) => {
        const after = (json?.variables as Json | undefined)?.after;
        return typeof after === "string" ? Number(/-(\d+)$/.exec(after)?.[1] ?? 0) : 0;
      },
    },
    item: (n) => ({ id: `9cfb482a-81e3-4154-b5b9-2c805e70a02${n}`, identifier: `ENG-${n}`, title: `Issue ${n}`, updatedAt: "2026-03-14T17:00:00.000Z" }),
    // https://linear.app/developers/graphql: errors[] with extensions; the status is not documented (the SDK reads any 4xx as this)
    deadToken: { status: 401, body: { errors: [{ message: "Authentication required, not authenticated", extensions: { type: "authentication error", code: "AUTHENTICATION_ERROR", userPresentableMessage: "You need to authenticate to access this operation." } }] } },
    revocation: true,
    webhook: {
      // https://linear.app/developers/webhooks: Linear-Signature = hex(HMAC-SHA256(secret, body)); webhookTimestamp (ms) in the body
      sign: (body, secret) => ({ method: "POST", headers: { "Linear-Signature": hex(secret, body), "Linear-Delivery": randomBytes(16).toString("hex"), "Linear-Event": "Issue", "User-Agent": "Linear-Webhook", "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ action: "create", type: "Issue", createdAt: new Date().toISOString(), data: { id: `9cfb482a-81e3-4154-b5b9-2c805e70a02${n}`, title: `Issue ${n}` }, url: `https://linear.app/acme/issue/ENG-${n}`, organizationId: "dc844923-f21a-4f1b-a1c1-3c1e3a2d7c0e", webhookTimestamp: Date.now(), webhookId: "000042e3-d123-4980-b49f-8e140eef9329" }),
      acceptedStatus: 200,
    },
  },
  mailchimp: {
    preset: "mailchimp",
    docs: "https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/",
    clientAuth: "post",
    refresh: "none", // "Tokens do not expire, so you do not need to use refresh_token"
    expiresIn: 0, // the answer's expires_in is 0 for a token that never expires (observed; the fields are not documented)
    tokenShape: ({ access_token }) => ({ access_token, expires_in: 0, scope: null }),
    deadRefresh: oauthError("invalid_grant", "no refresh tokens are issued"),
    // The metadata endpoint takes the token as `Authorization: OAuth <token>` (the double refuses Bearer there) and
    // names the account's data centre; the sync calls its api_endpoint (the double's lives under /mailchimp/instance).
    userinfoScheme: "OAuth",
    userinfo: ({ origin }) => ({ dc: "us19", role: "owner", accountname: "Acme", login_url: "https://login.mailchimp.com", api_endpoint: `${origin}/mailchimp/instance` }),
    // https://mailchimp.com/developer/marketing/docs/methods-parameters/#pagination: count and offset, total_items
    list: (items, _next, { total }) => ({ lists: items, total_items: total, constraints: { may_create: true, max_instances: 1, current_total_instances: 1 }, _links: [] }),
    pages: { offset: ({ url }) => Number(url.searchParams.get("offset") ?? 0) },
    item: (n) => ({ id: `57afe96${n}72`, web_id: 10000 + n, name: `Audience ${n}`, date_created: "2026-03-14T17:00:00+00:00", stats: { member_count: 10 * n } }),
    // https://mailchimp.com/developer/marketing/docs/errors/: application/problem+json; the title for a
    // de-authorized token is not documented
    deadToken: { status: 401, body: { type: "https://mailchimp.com/developer/marketing/docs/errors/", title: "API Key Invalid", status: 401, detail: "Your API key may be invalid, or you've attempted to access the wrong datacenter.", instance: "9d8c2e0f-1111-2222-3333-444455556666" } },
  },
  microsoft: {
    preset: "microsoft",
    rateLimit: { docs: "https://learn.microsoft.com/en-us/graph/throttling", reply: { status: 429, headers: { "Retry-After": "120" }, body: { error: { code: "TooManyRequests", message: "Please retry after 120 seconds." } } } },
    docs: "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
    clientAuth: "post",
    refresh: "rotating",
    expiresIn: 3599,
    deadRefresh: { status: 400, body: { error: "invalid_grant", error_description: "AADSTS70000: The provided grant has expired due to it being revoked.", error_codes: [70000] } },
    // https://learn.microsoft.com/en-us/graph/paging: @odata.nextLink is the next page's whole URL
    // https://learn.microsoft.com/en-us/graph/api/event-delta: @odata.nextLink ($skiptoken) within a round, then
    // @odata.deltaLink ($deltatoken) on its last page; a round from a delta link lists changes and @removed entries.
    list: (items, next, { origin, url }) => ({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
      value: items,
      ...(next === null
        ? { "@odata.deltaLink": `${nextLinkOrigin ?? origin}${url.pathname}?$deltatoken=${Date.now()}` }
        : { "@odata.nextLink": (() => {
            const link = new URL(`${nextLinkOrigin ?? origin}${url.pathname}${url.search}`);
            link.searchParams.set("$skiptoken", `X${next}`);
            return link.href;
          })() }),
    }),
    changes: {
      style: "token",
      param: "$deltatoken",
      field: "@odata.deltaLink",
      deleted: (item) => ({ id: item.id, "@removed": { reason: "deleted" } }),
      docs: "https://learn.microsoft.com/en-us/graph/api/event-delta",
    },
    pages: { offset: ({ url }) => Number(url.searchParams.get("$skiptoken")?.slice(1) ?? 0) },
    item: (n) => ({ id: `AAMkAGI2T${n}`, subject: `Meeting ${n}` }),
    deadToken: { status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "Lifetime validation failed, the token is expired." } } },
    userinfo: { id: "87d349ed", displayName: "Megan Bowen" },
    webhook: {
      // https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks: clientState, no signature
      sign: (body) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ value: [{ subscriptionId: "sub-1", clientState: "__SECRET__", changeType: "created", resource: `me/events/${n}`, tenantId: "t" }] }),
      handshake: () => {
        const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomBytes(4).toString("hex")}`;
        return {
          method: "POST",
          query: { validationToken },
          headers: { "Content-Type": "text/plain; charset=utf-8" },
          body: "",
          expect: (res) => {
            if (res.status !== 200 || res.text !== validationToken) throw new Error(`validationToken not echoed decoded: ${res.status} ${res.text}`);
            if (!res.headers.get("content-type")?.startsWith("text/plain")) throw new Error("not text/plain");
          },
        };
      },
      acceptedStatus: 202,
    },
  },
  miro: {
    preset: "miro",
    docs: "https://developers.miro.com/docs/getting-started-with-oauth",
    // https://developers.miro.com/v1.0/reference/ratelimiting: 429 tooManyRequests, X-RateLimit-Reset in epoch seconds
    rateLimit: { docs: "https://developers.miro.com/reference/rate-limiting", reply: { status: 429, headers: { "X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "__IN_AN_HOUR__" }, body: { status: 429, code: "tooManyRequests", message: "Request rate limit exceed", context: null, type: "error" } } },
    clientAuth: "post",
    refresh: "rotating", // a new access token comes with a new refresh token; the old pair ends
    expiresIn: 3599,
    tokenFields: () => ({ user_id: "3458764517517852417", team_id: 3074457358607431, scope: "boards:read" }),
    // https://developers.miro.com/docs/troubleshooting-oauth20: {status, code: "oauthError", message, type}; the exact messages are not documented
    deadRefresh: { status: 401, body: { status: 401, code: "oauthError", message: "Invalid refresh token", type: "error" } },
    badCode: { status: 401, body: { status: 401, code: "oauthError", message: "Invalid authorization code", type: "error" } },
    // https://developers.miro.com/reference/get-boards: data, offset and limit, up to total
    list: (items, _next, { total, url }) => ({ data: items, total, size: items.length, offset: Number(url.searchParams.get("offset") ?? 0), limit: 50, type: "list" }),
    pages: { offset: ({ url }) => Number(url.searchParams.get("offset") ?? 0) },
    item: (n) => ({ id: `uXjVOD6LSM${n}=`, type: "board", name: `Board ${n}`, description: "", createdAt: "2026-03-14T17:00:00Z", modifiedAt: "2026-03-14T17:00:00Z" }),
    deadToken: { status: 401, body: { status: 401, code: "tokenNotProvided", message: "No access token was provided", type: "error" } },
    userinfo: { type: "tokenInfo", scopes: ["boards:read"], team: { type: "team", name: "Acme", id: "3074457358607431473" }, user: { type: "user", name: "Ada", id: "3458764517517852417" } },
    revocation: true,
  },
  notion: {
    preset: "notion",
    rateLimit: { docs: "https://developers.notion.com/reference/request-limits", reply: { status: 429, headers: { "Retry-After": "60" }, body: { object: "error", status: 429, code: "rate_limited", message: "You have been rate limited. Please try again in a few minutes." } } },
    docs: "https://developers.notion.com/docs/authorization",
    clientAuth: "basic",
    refresh: "rotating",
    expiresIn: null,
    revocation: true,
    deadRefresh: oauthError("invalid_grant", "Invalid refresh token."),
    tokenShape: ({ access_token, token_type, refresh_token }) => ({ access_token, token_type, refresh_token, bot_id: "b0t", workspace_id: "w0rk", workspace_name: "Acme", owner: { type: "user" } }),
    // https://developers.notion.com/reference/intro#pagination
    list: (items, next) => ({ object: "list", results: items, next_cursor: next === null ? null : `fe2cc560-036c-44cd-90e8-29428fd0b${next}`, has_more: next !== null }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("start_cursor") ?? "")?.[1] ?? 0) },
    item: (n) => ({ object: "user", id: `d40e767c-d7af-4b18-a86d-55c61f1e39a${n}`, type: "person" }),
    deadToken: { status: 401, body: { object: "error", status: 401, code: "unauthorized", message: "API token is invalid." } },
    requiredHeaders: ["notion-version"],
    userinfo: { object: "user", id: "bot-1", type: "bot" },
    webhook: {
      // https://developers.notion.com/reference/webhooks
      sign: (body, secret) => ({ method: "POST", headers: { "X-Notion-Signature": `sha256=${hex(secret, body)}`, "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ id: `evt-${n}`, type: "page.created", entity: { id: `page-${n}`, type: "page" } }),
      handshake: () => ({
        method: "POST",
        body: JSON.stringify({ verification_token: "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl" }),
        headers: { "Content-Type": "application/json" },
        expect: (res) => {
          if (res.status !== 200) throw new Error(`verification request refused: ${res.status}`);
        },
      }),
      acceptedStatus: 200,
    },
  },
  okta: {
    preset: "okta",
    // https://developer.okta.com/docs/reference/rl2-monitor/: 429, X-Rate-Limit-Reset (epoch seconds), E0000047
    rateLimit: {
      docs: "https://developer.okta.com/docs/reference/rate-limits/",
      reply: { status: 429, headers: { "X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "__IN_AN_HOUR__" }, body: { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests.", errorLink: "E0000047", errorId: "oaeDouble1", errorCauses: [] } },
    },
    docs: "https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/",
    clientAuth: "basic",
    refresh: "stable", // a web app's refresh token is persistent unless rotation is turned on
    expiresIn: 3600,
    idToken: { issuer: "origin" },
    deadRefresh: oauthError("invalid_grant", "The refresh token is invalid or expired."),
    badCode: oauthError("invalid_grant", "The authorization code is invalid or has expired."),
    // https://developer.okta.com/docs/reference/core-okta-api/#link-header: rel="next" with an opaque `after` cursor
    list: (items) => items,
    pages: {
      offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("after") ?? "")?.[1] ?? 0),
      headers: (next, { origin, url }): Record<string, string> => {
        const self = `<${origin}${url.pathname}${url.search}>; rel="self"`;
        if (next === null) return { Link: self };
        const link = new URL(`${origin}${url.pathname}${url.search}`);
        link.searchParams.set("after", `00u${next}`);
        return { Link: `${self}, <${link.href}>; rel="next"` };
      },
    },
    item: (n) => ({ id: `00u${n}`, status: "ACTIVE", profile: { login: `user${n}@example.com`, email: `user${n}@example.com` } }),
    deadToken: { status: 401, body: { errorCode: "E0000011", errorSummary: "Invalid token provided", errorLink: "E0000011", errorId: "oaeDouble0", errorCauses: [] } },
    userinfo: { sub: "00u1", name: "User One", preferred_username: "user1@example.com" },
    revocation: true,
  },
  pinterest: {
    preset: "pinterest",
    docs: "https://github.com/pinterest/api-description/blob/main/v5/openapi.yaml",
    clientAuth: "basic",
    refresh: "rotating", // every refresh answer carries a refresh token (continuous refresh: 60 days, renewed)
    expiresIn: 2592000, // 30 days in Pinterest's quickstart; the reference says only to read expires_in
    tokenFields: () => ({ response_type: "authorization_code", refresh_token_expires_in: 5184000, refresh_token_expires_at: now() + 5184000 }),
    // Pinterest's {code, message}: 283 for a bad refresh token, as users of its SDK report it
    // (https://github.com/pinterest/pinterest-python-sdk/issues/114); a bad code's answer is not documented
    deadRefresh: { status: 401, body: { code: 283, message: "The authorization grant is invalid" } },
    badCode: { status: 401, body: { code: 283, message: "The authorization grant is invalid" } },
    userinfo: { account_type: "PINNER", username: "acme", profile_image: "https://i.pinimg.com/600x600_R/42/f5/36/42f5364e0a4ad5c8d6e07d7f7a6d1d93.jpg", website_url: "https://example.com" },
    // https://developers.pinterest.com/docs/reference/pagination/: bookmark, sent back as bookmark; null at the end
    list: (items, next) => ({ items, bookmark: next === null ? null : `Y2JVSG81V2sxcmNHRlpWM1F-${next}` }),
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("bookmark") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: `54906217124645${n}`, name: `Board ${n}`, description: "", privacy: "PUBLIC", pin_count: 5 * n, owner: { username: "acme" } }),
    deadToken: { status: 401, body: { code: 2, message: "Authentication failed." } },
  },
  pipedrive: {
    preset: "pipedrive",
    docs: "https://pipedrive.readme.io/docs/marketplace-oauth-authorization",
    clientAuth: "basic",
    refresh: "rotating", // every refresh answer carries a refresh_token, which the sync keeps
    expiresIn: 3600,
    // The token response names the company's API host (api_domain); the sync calls {api_domain}/api/v2/persons.
    tokenFields: ({ origin }) => ({ api_domain: `${origin}/pipedrive/instance` }),
    tokenShape: ({ scope: _scope, ...rest }) => ({ ...rest, scope: "base,contacts:read" }),
    // https://pipedrive.readme.io/docs/marketplace-oauth-and-api-proxy-status-codes
    deadRefresh: { status: 400, body: { success: false, message: "Invalid grant: refresh_token is invalid", error: "invalid_grant" } },
    badCode: { status: 400, body: { success: false, message: "Invalid grant: authorization_code is invalid", error: "invalid_grant" } },
    // https://pipedrive.readme.io/docs/core-api-concepts-pagination: additional_data.next_cursor, sent back as cursor
    list: (items, next) => ({ success: true, data: items, additional_data: { next_cursor: next === null ? null : `eyJvZmZzZXQiOj${next}` } }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("cursor") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: n, name: `Person ${n}`, emails: [{ value: `p${n}@example.com`, primary: true, label: "work" }] }),
    changes: { style: "since", param: "updated_since", docs: "https://github.com/pipedrive/client-nodejs" },
    stamp: (item, at) => ({ ...item, update_time: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") }),
    deadToken: { status: 401, body: { success: false, error: "Invalid token: access token is invalid", errorCode: 401 } },
    revocation: true,
  },
  quickbooks: {
    preset: "quickbooks",
    docs: "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0",
    clientAuth: "basic",
    refresh: "rotating",
    expiresIn: 3600,
    callbackExtras: { realmId: "9130349876543210" },
    tokenFields: () => ({ x_refresh_token_expires_in: 8726400 }),
    deadRefresh: oauthError("invalid_grant", "Incorrect or invalid refresh token"),
    list: (items) => ({ QueryResponse: { Customer: items, startPosition: 1, maxResults: items.length }, time: "2026-11-30T00:00:00.000-08:00" }),
    item: (n) => ({ Id: String(n), DisplayName: `Customer ${n}` }),
    deadToken: { status: 401, body: { fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", code: "3200" }], type: "AUTHENTICATION" } } },
    revocation: true,
    webhook: {
      // https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications
      sign: (body, secret) => ({ method: "POST", headers: { "intuit-signature": b64(secret, body), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ eventNotifications: [{ realmId: "9130349876543210", dataChangeEvent: { entities: [{ name: "Customer", id: String(n), operation: "Create" }] } }] }),
      acceptedStatus: 200,
    },
  },
  salesforce: {
    preset: "salesforce",
    docs: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm",
    clientAuth: "post",
    refresh: "stable",
    expiresIn: null, // the org's session timeout decides; no expires_in
    tokenFields: ({ origin }) => ({ instance_url: `${origin}/salesforce/instance`, id: `${origin}/id/00Dx/005x`, issued_at: String(Date.now()), signature: "sig" }),
    deadRefresh: oauthError("invalid_grant", "expired access/refresh token"),
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm: nextRecordsUrl is a
    // path on the instance (the double's instance lives under /salesforce/instance)
    list: (items, next) => ({ totalSize: 3, done: next === null, records: items, ...(next === null ? {} : { nextRecordsUrl: `/salesforce/instance/services/data/v62.0/query/01gD0000002HU6KIAW-${next}` }) }),
    pages: { offset: ({ url }) => Number(/\/query\/01g[A-Za-z0-9]+-(\d+)$/.exec(url.pathname)?.[1] ?? 0) },
    item: (n) => ({ attributes: { type: "Account", url: `/services/data/v62.0/sobjects/Account/001${n}` }, Id: `001${n}`, Name: `Account ${n}` }),
    deadToken: { status: 401, body: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }] },
    userinfo: { sub: "005x", organization_id: "00Dx" },
    revocation: true,
  },
  slack: {
    preset: "slack",
    rateLimit: { docs: "https://docs.slack.dev/apis/web-api/rate-limits", reply: { status: 429, headers: { "Retry-After": "120" }, body: { ok: false, error: "ratelimited" } } },
    docs: "https://docs.slack.dev/reference/methods/oauth.v2.access",
    clientAuth: "basic",
    refresh: "rotating", // with token rotation on: 12 h access tokens, each refresh a new refresh token
    expiresIn: 43200,
    revocation: true,
    tokenType: "bot",
    // Slack answers failures with HTTP 200 and ok: false
    deadRefresh: { status: 200, body: { ok: false, error: "invalid_refresh_token" } },
    badCode: { status: 200, body: { ok: false, error: "invalid_code" } },
    tokenShape: (standard) => ({ ok: true, ...standard, bot_user_id: "U0KRQLJ9H", app_id: "A0KRD7HC3", team: { id: "T9TK3CUKW", name: "Slack Softball Team" }, authed_user: { id: "U1234" } }),
    // https://docs.slack.dev/apis/web-api/pagination: an empty next_cursor ends the list
    list: (items, next) => ({ ok: true, channels: items, response_metadata: { next_cursor: next === null ? "" : Buffer.from(`offset:${next}`).toString("base64") } }),
    pages: { offset: ({ url }) => Number(Buffer.from(url.searchParams.get("cursor") ?? "", "base64").toString().split(":")[1] ?? 0) },
    item: (n) => ({ id: `C012AB3C${n}`, name: `general-${n}`, is_channel: true }),
    deadToken: { status: 200, body: { ok: false, error: "token_revoked" } },
    userinfo: { ok: true, team: "Subarachnoid Workspace", user: "grace", team_id: "T12345", user_id: "W12345" },
    webhook: {
      // https://docs.slack.dev/authentication/verifying-requests-from-slack
      sign: (body, secret) => {
        const timestamp = String(now());
        return { method: "POST", headers: { "X-Slack-Signature": `v0=${hex(secret, `v0:${timestamp}:${body}`)}`, "X-Slack-Request-Timestamp": timestamp, "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ type: "event_callback", event_id: `Ev${n}`, event: { type: "channel_created" } }),
      retryResigns: true,
      handshake: (secret) => {
        const challenge = randomBytes(12).toString("hex");
        const body = JSON.stringify({ token: "legacy", challenge, type: "url_verification" });
        const signed = BEHAVIOURS.slack!.webhook!.sign(body, secret, "");
        return {
          method: "POST",
          body,
          headers: signed.headers,
          expect: (res) => {
            if (res.status !== 200 || (JSON.parse(res.text) as Json).challenge !== challenge) throw new Error(`challenge not answered: ${res.text}`);
          },
          refusedWith: { status: 401, empty: false },
        };
      },
      acceptedStatus: 200,
    },
  },
  spotify: {
    preset: "spotify",
    // https://developer.spotify.com/documentation/web-api/concepts/rate-limits: 429 with Retry-After
    rateLimit: { docs: "https://developer.spotify.com/documentation/web-api/concepts/rate-limits", reply: { status: 429, headers: { "Retry-After": "120" }, body: { error: { status: 429, message: "API rate limit exceeded" } } } },
    docs: "https://developer.spotify.com/documentation/web-api/tutorials/code-flow",
    clientAuth: "basic",
    refresh: "stable", // rotation is not documented for this flow; a refresh answer without refresh_token keeps the old one
    expiresIn: 3600,
    deadRefresh: oauthError("invalid_grant", "Invalid refresh token"),
    badCode: oauthError("invalid_grant", "Invalid authorization code"),
    // https://developer.spotify.com/documentation/web-api/reference/get-a-list-of-current-users-playlists: a paging object, `next` a whole URL
    list: (items, next, { origin, url }) => {
      const page = (offset: number) => {
        const link = new URL(`${origin}${url.pathname}${url.search}`);
        link.searchParams.set("offset", String(offset));
        link.searchParams.set("limit", String(paging.size));
        return link.href;
      };
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return { href: page(offset), limit: paging.size, offset, total: 3, previous: null, next: next === null ? null : page(next), items };
    },
    pages: { offset: ({ url }) => Number(url.searchParams.get("offset") ?? 0) },
    item: (n) => ({ id: `37i9dQZF1DX${n}`, name: `Playlist ${n}`, type: "playlist", snapshot_id: `s${n}` }),
    deadToken: { status: 401, body: { error: { status: 401, message: "The access token expired" } } },
    userinfo: { id: "wizzler", display_name: "Wizzler", type: "user" },
  },
  stripe: {
    preset: "stripe",
    docs: "https://docs.stripe.com/connect/oauth-reference",
    clientAuth: "post",
    refresh: "stable",
    expiresIn: null, // Connect tokens do not expire
    revocation: true,
    tokenFields: () => ({ livemode: false, stripe_user_id: "acct_1032D82eZvKYlo2C", stripe_publishable_key: "pk_test_x" }),
    deadRefresh: oauthError("invalid_grant", "Refresh token does not exist: rt_x"),
    // https://docs.stripe.com/api/pagination: has_more, then starting_after=<last id>
    list: (items, next) => ({ object: "list", url: "/v1/customers", has_more: next !== null, data: items }),
    pages: { offset: ({ url }, all) => all.findIndex((item) => item.id === url.searchParams.get("starting_after")) + 1 },
    item: (n) => ({ id: `cus_NffrFeUfNV2Hi${n}`, object: "customer" }),
    deadToken: { status: 401, body: { error: { message: "Invalid API Key provided: sk_test_***", type: "invalid_request_error" } } },
    userinfo: { id: "acct_1032D82eZvKYlo2C", object: "account" },
    webhook: {
      // https://docs.stripe.com/webhooks/signature
      sign: (body, secret) => {
        const t = now();
        return { method: "POST", headers: { "Stripe-Signature": `t=${t},v1=${hex(secret, `${t}.${body}`)}`, "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ id: `evt_${n}`, object: "event", type: "customer.created" }),
      retryResigns: true,
      acceptedStatus: 200,
    },
  },
  todoist: {
    preset: "todoist",
    docs: "https://developer.todoist.com/api/v1",
    clientAuth: "post",
    refresh: "rotating", // https://github.com/Doist/todoist-sdk-typescript/blob/main/src/authentication.ts: "the server rotates the refresh token"
    expiresIn: 3600, // the lifetime is not documented
    tokenShape: (standard) => ({ ...standard, token_type: "Bearer" }),
    // the legacy token errors (Doist's API docs): a bad code is {error: "bad_authorization_code"}
    badCode: { status: 400, body: { error: "bad_authorization_code" } },
    deadRefresh: oauthError("invalid_grant", "Invalid refresh token"), // not documented: RFC 6749 assumed
    // https://developer.todoist.com/api/v1: next_cursor sent back as cursor; null on the last page
    list: (items, next) => ({ results: items, next_cursor: next === null ? null : `eyJwYWdlIjoyfQ.c2Vjb25k-${next}` }),
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("cursor") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: `6Jf8VQXxpwv56VQ${n}`, name: `Project ${n}`, color: "berry_red", is_archived: false, is_deleted: false, updated_at: "2026-03-14T17:00:00.000000Z" }),
    // the exact body is not documented; the API's errors carry error, error_tag, error_code, http_code
    deadToken: { status: 401, body: { error: "Unauthorized", error_code: 401, error_tag: "AUTH_INVALID_TOKEN", http_code: 401, error_extra: {} } },
    userinfo: { id: "2671355", email: "user@example.com", full_name: "Todoist User", inbox_project_id: "6Jf8VQXxpwv56VQ0" },
    revocation: true,
    webhook: {
      // https://doist.github.io/todoist-sdk-typescript/api/functions/verifyWebhookSignature: base64(HMAC-SHA256(client secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "X-Todoist-Hmac-SHA256": b64(secret, body), "X-Todoist-Delivery-ID": randomBytes(16).toString("hex"), "User-Agent": "Todoist-Webhooks", "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ version: "1", user_id: "2671355", event_name: "project:updated", initiator: { id: "2671355", email: "user@example.com", full_name: "Todoist User" }, event_data: { id: `6Jf8VQXxpwv56VQ${n}`, name: `Project ${n}` }, triggered_at: new Date().toISOString() }),
      acceptedStatus: 200,
    },
  },
  xero: {
    preset: "xero",
    rateLimit: { docs: "https://developer.xero.com/documentation/guides/oauth2/limits/", reply: { status: 429, headers: { "Retry-After": "86400", "X-Rate-Limit-Problem": "day" }, body: { Title: "Too Many Requests", Status: 429 } } },
    docs: "https://developer.xero.com/documentation/guides/oauth2/auth-flow/",
    clientAuth: "basic",
    refresh: "rotating",
    expiresIn: 1800,
    deadRefresh: oauthError("invalid_grant", ""),
    list: (items) => items,
    item: (n) => ({ id: `e1eede29-f875-4a5d-8470-17f6a29a88b${n}`, tenantId: `70784a63-d24b-46a9-a4db-0e70a274b05${n}`, tenantType: "ORGANISATION", tenantName: `Org ${n}` }),
    deadToken: { status: 401, body: { Type: null, Title: "Unauthorized", Status: 401, Detail: "AuthenticationUnsuccessful" } },
    revocation: true,
    webhook: {
      // https://developer.xero.com/documentation/webhooks/configuring-your-server
      sign: (body, secret) => ({ method: "POST", headers: { "x-xero-signature": b64(secret, body), "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ events: [{ resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${n}`, eventCategory: "CONTACT", eventType: "CREATE" }], firstEventSequence: n, lastEventSequence: n, entropy: randomBytes(6).toString("hex") }),
      handshake: (secret) => {
        const body = JSON.stringify({ events: [], lastEventSequence: 0, firstEventSequence: 0, entropy: randomBytes(10).toString("hex").toUpperCase() });
        return {
          method: "POST",
          body,
          headers: { "x-xero-signature": b64(secret, body), "Content-Type": "application/json" },
          expect: (res) => {
            if (res.status !== 200 || res.text !== "") throw new Error(`intent to receive: expected 200 with no body, got ${res.status} ${JSON.stringify(res.text)}`);
          },
          refusedWith: { status: 401, empty: true },
        };
      },
      acceptedStatus: 200,
      emptyRejection: true,
    },
  },
  typeform: {
    preset: "typeform",
    docs: "https://www.typeform.com/developers/get-started/applications/",
    clientAuth: "post",
    refresh: "stable", // not documented either way: the client keeps a new refresh token when one comes
    expiresIn: 604800, // seven days, unless the app sets otherwise
    deadRefresh: oauthError("invalid_grant", "refresh token is invalid"), // not documented: RFC 6749 assumed
    // https://www.typeform.com/developers/create/reference/retrieve-forms/: page numbers from 1, up to page_count
    list: (items, _next, { total }) => ({ total_items: total, page_count: Math.ceil(total / paging.size), items }),
    pages: { offset: ({ url }) => (Number(url.searchParams.get("page") ?? 1) - 1) * paging.size },
    item: (n) => ({ id: `lT4Z3j${n}`, title: `Form ${n}`, created_at: "2026-03-14T17:00:00Z", last_updated_at: "2026-03-14T17:00:00Z", settings: { is_public: true } }),
    // https://www.typeform.com/developers/troubleshooting/: a wrong or expired token is a 403 AUTHENTICATION_ERROR
    deadToken: { status: 403, body: { code: "AUTHENTICATION_ERROR", description: "The access token is incorrect in your request" } },
    userinfo: { user_id: "VXJZ7YkBqA", alias: "Typeform User", email: "user@example.com", language: "en" },
    webhook: {
      // https://www.typeform.com/developers/webhooks/secure-your-webhooks/: Typeform-Signature: sha256=base64(HMAC-SHA256(secret, body))
      sign: (body, secret) => ({ method: "POST", headers: { "Typeform-Signature": `sha256=${b64(secret, body)}`, "Content-Type": "application/json" }, body }),
      event: (n) => JSON.stringify({ event_id: `01KBYWTTXW2SXX86TBH2SGNCC${n}`, event_type: "form_response", form_response: { form_id: "lT4Z3j", token: `a3a12ec67a1365927098a606107fac1${n}`, submitted_at: "2026-03-14T17:00:00Z", answers: [] } }),
      acceptedStatus: 200,
    },
  },
  webflow: {
    preset: "webflow",
    docs: "https://developers.webflow.com/data/reference/oauth-app",
    // https://developers.webflow.com/data/v2.0.0/reference/rate-limits: 429 with Retry-After in seconds ("typically 60")
    rateLimit: { docs: "https://developers.webflow.com/data/v2.0.0/reference/rate-limits", reply: { status: 429, headers: { "Retry-After": "60", "X-RateLimit-Remaining": "0" }, body: { message: "Too Many Requests", code: "too_many_requests", externalReference: null, details: [] } } },
    clientAuth: "post",
    // the SDK posts JSON to /oauth/access_token
    tokenRequest: "json",
    refresh: "none", // no refresh grant and no expires_in: tokens are kept until a 401
    expiresIn: null,
    tokenShape: ({ access_token, token_type }) => ({ access_token, token_type }),
    deadRefresh: oauthError("invalid_grant", "no refresh tokens are issued"),
    badCode: oauthError("invalid_grant", "The authorization code is invalid or has expired"),
    // https://developers.webflow.com/data/reference/sites/list: every site the token reaches, in one answer
    list: (items) => ({ sites: items }),
    item: (n) => ({ id: `580e63e98c9a982ac9b8b74${n}`, workspaceId: "580e63fc8c9a982ac9b8b744", displayName: `Site ${n}`, shortName: `site-${n}`, lastPublished: "2026-03-14T17:00:00Z", lastUpdated: "2026-03-14T17:00:00Z" }),
    // https://developers.webflow.com/data/v2.0.0/reference/error-handling: 401 not_authorized
    deadToken: { status: 401, body: { message: "Request not authorized", code: "not_authorized", externalReference: null, details: [] } },
    userinfo: { id: "545bbecb7bdd6769632504a7", email: "some@email.com", firstName: "Some", lastName: "One" },
    revocation: true,
    webhook: {
      // https://developers.webflow.com/data/docs/working-with-webhooks: hex(HMAC-SHA256(client secret, "<ms timestamp>:<body>"))
      sign: (body, secret) => {
        const at = String(Date.now());
        return { method: "POST", headers: { "x-webflow-timestamp": at, "x-webflow-signature": hex(secret, `${at}:${body}`), "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ triggerType: "form_submission", payload: { name: "Contact Form", siteId: "65427cf400e02b306eaa049c", data: { email: `person${n}@example.com` }, submittedAt: "2026-03-14T17:00:00.000Z", id: `6321ca84df3949bfc675232${n}`, formId: "65429eadebe8a9f3a30f62d0" } }),
      acceptedStatus: 200,
    },
  },
  zendesk: {
    preset: "zendesk",
    docs: "https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/",
    // https://developer.zendesk.com/api-reference/introduction/rate-limits: 429 with Retry-After in seconds
    rateLimit: { docs: "https://developer.zendesk.com/api-reference/introduction/rate-limits", reply: { status: 429, headers: { "Retry-After": "93" }, body: { error: "APIRateLimitExceeded", description: "Number of allowed API requests per minute exceeded" } } },
    clientAuth: "post",
    // POST /oauth/tokens reads JSON and answers 201 Created
    tokenRequest: "json",
    tokenStatus: 201,
    refresh: "rotating", // https://support.zendesk.com/hc/en-us/articles/9182123625370: a refresh ends the old pair
    expiresIn: 1800,
    tokenFields: () => ({ refresh_token_expires_in: 2592000 }),
    deadRefresh: oauthError("invalid_grant", "The provided authorization grant is invalid, expired, or revoked"), // not documented: RFC 6749 assumed
    // https://developer.zendesk.com/api-reference/introduction/pagination/: links.next while meta.has_more; the last page keeps a next link
    list: (items, next, { origin, url }) => {
      const page = (n: number) => {
        const link = new URL(url);
        link.searchParams.set("page[after]", `eyJvIjoibmljZV9pZCIsInYiOiJhUUVBQUFBQUFBQUEifQ-${n}`);
        return `${origin}${link.pathname}${link.search}`;
      };
      return { tickets: items, meta: { has_more: next !== null, after_cursor: "xxx", before_cursor: "yyy" }, links: { next: page(next ?? items.length + 100), prev: null } };
    },
    pages: { offset: ({ url }) => Number(/-(\d+)$/.exec(url.searchParams.get("page[after]") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: 35436 + n, subject: `Help, my printer is on fire! (${n})`, status: "open", updated_at: "2026-03-14T17:00:00Z" }),
    deadToken: { status: 401, body: { error: "Couldn't authenticate you" } },
    userinfo: { user: { id: 35436, name: "Johnny Agent", email: "johnny@example.com", role: "agent" } },
    revocation: true,
    webhook: {
      // https://developer.zendesk.com/documentation/webhooks/verifying/: base64(HMAC-SHA256(signing secret, timestamp + body))
      sign: (body, secret) => {
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
        return { method: "POST", headers: { "X-Zendesk-Webhook-Signature": b64(secret, `${at}${body}`), "X-Zendesk-Webhook-Signature-Timestamp": at, "X-Zendesk-Webhook-Id": "01GJ6R8M2FB6SDN4J5S3C2PJVR", "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ type: "zen:event-type:user.active_changed", account_id: 12514403, id: `2b24ef10-19d4-4740-93cf-8f98ec4776c${n}`, time: "2026-03-14T17:00:00Z", zendesk_event_version: "2022-06-20", subject: "zen:user:6596848315901", detail: { id: "6596848315901" }, event: { current: false, previous: true } }),
      acceptedStatus: 200,
    },
  },
  zoom: {
    preset: "zoom",
    rateLimit: { docs: "https://developers.zoom.us/docs/api/rest/rate-limits/", reply: { status: 429, headers: { "Retry-After": "3600" }, body: { code: 429, message: "You have reached the maximum daily rate limit for this API." } } },
    docs: "https://developers.zoom.us/docs/integrations/oauth/",
    clientAuth: "basic",
    refresh: "rotating",
    expiresIn: 3599,
    deadRefresh: { status: 400, body: { reason: "Invalid Token!", error: "invalid_grant" } },
    // https://developers.zoom.us/docs/api/rest/pagination/
    list: (items, next) => ({ page_size: 100, next_page_token: next === null ? "" : `Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh${next}`, meetings: items }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("next_page_token") ?? "")?.[1] ?? 0) },
    item: (n) => ({ id: 85746065000 + n, topic: `Meeting ${n}`, uuid: `aDYlohsHRtCd4ii1uC2+h${n}==` }),
    deadToken: { status: 401, body: { code: 124, message: "Invalid access token." } },
    userinfo: { id: "KDcuGIm1QgePTO8WbOqwIQ", email: "jchill@example.com" },
    revocation: true,
    webhook: {
      // https://developers.zoom.us/docs/api/webhooks/ (the official sample answers url_validation after the signature check)
      sign: (body, secret) => {
        const timestamp = String(now());
        return { method: "POST", headers: { "x-zm-signature": `v0=${hex(secret, `v0:${timestamp}:${body}`)}`, "x-zm-request-timestamp": timestamp, "Content-Type": "application/json" }, body };
      },
      event: (n) => JSON.stringify({ event: "meeting.created", event_ts: Date.now() + n, payload: { account_id: "acc", object: { id: n } } }),
      handshake: (secret) => {
        const plainToken = randomBytes(11).toString("base64url");
        const body = JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: "endpoint.url_validation" });
        return {
          method: "POST",
          body,
          headers: BEHAVIOURS.zoom!.webhook!.sign(body, secret, "").headers,
          expect: (res) => {
            const answer = JSON.parse(res.text) as Json;
            if (res.status !== 200 || answer.plainToken !== plainToken || answer.encryptedToken !== hex(secret, plainToken)) throw new Error(`url_validation: ${res.status} ${res.text}`);
          },
          refusedWith: { status: 401, empty: false },
        };
      },
      acceptedStatus: 200,
    },
  },
};

function google(preset: string, list: (items: Json[]) => Json, item: (n: number) => Json): ProviderBehaviour {
  return {
    preset,
    docs: "https://developers.google.com/identity/protocols/oauth2/web-server",
    clientAuth: "post",
    refresh: "stable", // a refresh answer carries no new refresh token
    expiresIn: 3599,
    idToken: { issuer: "origin" },
    deadRefresh: oauthError("invalid_grant", "Token has been expired or revoked."),
    // nextPageToken, sent back as pageToken (https://developers.google.com/workspace/calendar/api/v3/reference/events/list)
    list: (items, next) => ({ ...list(items), ...(next === null ? {} : { nextPageToken: `CigKGjdlcXR${next}` }) }),
    pages: { offset: ({ url }) => Number(/(\d+)$/.exec(url.searchParams.get("pageToken") ?? "")?.[1] ?? 0) },
    item,
    deadToken: { status: 401, body: { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } } },
    userinfo: { sub: "110169484474386276334", email: "a@example.com" },
    revocation: true,
  };
}

export interface DoubleRequest {
  preset: string;
  endpoint: string;
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Doubles {
  origin: string;
  /** Endpoint flags for `new`, as the preset's endpoints moved onto this server. */
  endpoints(preset: string): Record<string, string>;
  grants: Grant[];
  grantOf(integration: string): Grant;
  requests: DoubleRequest[];
  /** How many items the API lists for this integration. */
  items: Map<string, number>;
  /** The next API call of this integration answers the provider's rate limit. */
  rateLimitOnce(integration: string): void;
  /** A grant as if the user had connected (bulk set-ups): its tokens, and how many items the account lists. */
  seedGrant(integration: string, options?: { items?: number }): Grant;
  /**
   * A request budget the double enforces as its provider does, per epoch-aligned window, per app (all of an
   * integration's connections) or per connection: a request over it is counted in `excess` and answered 429.
   */
  budgets: Map<string, { requests: number; windowSeconds: number; per: "app" | "connection" }>;
  /** Requests made over a budget (a test of the sync fails on any). */
  excess: { count: number };
  /** A spent (rotated) refresh token presented again: a refresh spent twice. */
  refreshReuse: { count: number };
  /** How long API answers take (ms), as a loaded provider's do. */
  latency: { ms: number };
  /** API answers to force, by access token (a provider outage for one account). */
  failWith: Map<string, Reply>;
  /** Called for each API request before it is answered (tests hold or count requests). */
  onApiRequest: ((grant: Grant, url: URL) => void | Promise<void>) | null;
  close(): Promise<void>;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

function idToken(issuer: string, subject: string): string {
  const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signed = `${enc({ alg: "RS256", typ: "JWT", kid: "double" })}.${enc({ iss: issuer, aud: DOUBLE_CLIENT_ID, sub: subject, iat: now(), exp: now() + 3600 })}`;
  return `${signed}.${sign("sha256", Buffer.from(signed), privateKey).toString("base64url")}`;
}

function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

function clientOf(req: IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null; how: "basic" | "post" | "none" } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":").map((part) => decodeURIComponent(part.replace(/\+/g, " ")));
    return { id: id ?? null, secret: secret ?? null, how: "basic" };
  }
  if (form.has("client_secret")) return { id: form.get("client_id"), secret: form.get("client_secret"), how: "post" };
  return { id: form.get("client_id"), secret: null, how: "none" };
}

export async function startDoubles(): Promise<Doubles> {
  const grants: Grant[] = [];
  const codes = new Map<string, { redirectUri: string; challenge: string | null; integration: string; scope: string }>();
  const requests: DoubleRequest[] = [];
  const items = new Map<string, number>();
  const limited = new Set<string>();
  const byAccess = new Map<string, Grant>();
  const byRefresh = new Map<string, Grant>();
  const index = (grant: Grant) => {
    byAccess.set(grant.accessToken, grant);
    if (grant.refreshToken) byRefresh.set(grant.refreshToken, grant);
  };
  const budgets = new Map<string, { requests: number; windowSeconds: number; per: "app" | "connection" }>();
  const windows = new Map<string, number>();
  const excess = { count: 0 };
  const refreshReuse = { count: 0 };
  const latency = { ms: 0 };
  const failWith = new Map<string, Reply>();
  const hooks: { onApiRequest: Doubles["onApiRequest"] } = { onApiRequest: null };
  let origin = "";
  const token = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", origin);
    const [, preset, endpoint, ...rest] = url.pathname.split("/");
    const behaviour = BEHAVIOURS[preset ?? ""];
    const send = (reply: Reply) => {
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    };
    if (!behaviour) return send({ status: 404, body: { error: "no such double" } });
    requests.push({ preset: preset!, endpoint: endpoint ?? "", method: req.method ?? "", path: `/${rest.join("/")}${url.search}`, headers: req.headers, body });
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const live = (value: string | undefined) => {
      const grant = value === undefined ? undefined : byAccess.get(value);
      return grant && grant.accessToken === value && !grant.accessExpired && !grant.revoked ? grant : undefined;
    };

    switch (endpoint) {
      case "authorize": {
        const q = url.searchParams;
        const redirectUri = q.get("redirect_uri") ?? "";
        const integration = /\/integrations\/([^/]+)\/callback$/.exec(new URL(redirectUri).pathname)?.[1];
        const spec = loadPreset(behaviour.preset);
        const problems = [
          q.get("client_id") !== DOUBLE_CLIENT_ID && "client_id",
          q.get("response_type") !== "code" && "response_type",
          !integration && "redirect_uri",
          (spec.scopes ?? []).length === 0 ? q.has("scope") && "scope sent to a provider without scopes" : !q.get("scope") && "scope",
          spec.pkce && (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) && "PKCE S256",
        ].filter(Boolean);
        if (problems.length > 0) return send({ status: 400, body: { error: "invalid_request", error_description: problems.join(", ") } });
        const code = token("code");
        codes.set(code, { redirectUri, challenge: q.get("code_challenge"), integration: integration!, scope: q.get("scope") ?? "" });
        const back = new URL(redirectUri);
        back.searchParams.set("code", code);
        back.searchParams.set("state", q.get("state") ?? "");
        for (const [name, value] of Object.entries(behaviour.callbackExtras ?? {})) back.searchParams.set(name, value);
        res.writeHead(302, { Location: back.toString() });
        return res.end();
      }
      case "token": {
        // A JSON-only token endpoint (Zendesk, Webflow) refuses a form; the others read one.
        const jsonBody = String(req.headers["content-type"] ?? "").startsWith("application/json");
        if ((behaviour.tokenRequest === "json") !== jsonBody) {
          return send(oauthError("invalid_request", `the token request must be ${behaviour.tokenRequest === "json" ? "JSON" : "a form"}`));
        }
        const form = jsonBody
          ? new URLSearchParams(Object.entries(JSON.parse(body) as Record<string, unknown>).map(([key, value]): [string, string] => [key, String(value)]))
          : new URLSearchParams(body);
        const client = clientOf(req, form);
        if (client.how !== behaviour.clientAuth || client.id !== DOUBLE_CLIENT_ID || client.secret !== DOUBLE_CLIENT_SECRET) {
          return send(oauthError("invalid_client", `expected client_secret_${behaviour.clientAuth}, got ${client.how}`, 401));
        }
        const issue = (grant: Grant, scope: string, fresh: boolean) => {
          const standard: Json = { access_token: grant.accessToken, token_type: behaviour.tokenType ?? "bearer", scope };
          if (behaviour.expiresIn !== null) standard.expires_in = behaviour.expiresIn;
          if (grant.refreshToken && (fresh || behaviour.refresh === "rotating")) standard.refresh_token = grant.refreshToken;
          const shaped = behaviour.tokenShape ? behaviour.tokenShape(standard) : standard;
          const extras = behaviour.tokenFields?.({ origin }) ?? {};
          const oidc = behaviour.idToken && scope.split(" ").includes("openid")
            ? { id_token: idToken(behaviour.idToken.issuer === "origin" ? origin : behaviour.idToken.issuer, "user-1") }
            : {};
          return send({ status: behaviour.tokenStatus ?? 200, body: { ...shaped, ...extras, ...oidc } });
        };
        if (form.get("grant_type") === "authorization_code") {
          const entry = codes.get(form.get("code") ?? "");
          codes.delete(form.get("code") ?? "");
          const verifier = form.get("code_verifier");
          if (!entry || entry.redirectUri !== form.get("redirect_uri") || (entry.challenge !== null && (!verifier || pkceChallenge(verifier) !== entry.challenge))) {
            return send(behaviour.badCode ?? oauthError("invalid_grant", "bad code, redirect_uri or code_verifier"));
          }
          const grant: Grant = {
            integration: entry.integration,
            accessToken: token("at"),
            refreshToken: behaviour.refresh === "none" ? null : token("rt"),
            accessExpired: false,
            revoked: false,
            refreshes: 0,
            spentRefreshTokens: new Set(),
          };
          grants.push(grant);
          index(grant);
          return issue(grant, entry.scope, true);
        }
        if (form.get("grant_type") === "refresh_token") {
          const presented = form.get("refresh_token") ?? "";
          const found = byRefresh.get(presented);
          const grant = found && found.refreshToken === presented ? found : undefined;
          if (!grant && grants.some((g) => g.spentRefreshTokens.has(presented))) refreshReuse.count++;
          if (!grant || grant.revoked) return send(behaviour.deadRefresh);
          grant.refreshes++;
          grant.accessToken = token("at");
          grant.accessExpired = false;
          if (behaviour.refresh === "rotating") {
            grant.spentRefreshTokens.add(presented);
            grant.refreshToken = token("rt");
          }
          index(grant);
          return issue(grant, form.get("scope") ?? "", false);
        }
        return send(oauthError("unsupported_grant_type", String(form.get("grant_type"))));
      }
      case "revoke": {
        // Each provider's revocation as it documents it (the preset's revocationStyle); anything else is refused.
        const style = loadPreset(behaviour.preset).revocationStyle ?? "rfc7009";
        const basic = clientOf(req, new URLSearchParams());
        const basicOk = basic.how === "basic" && basic.id === DOUBLE_CLIENT_ID && basic.secret === DOUBLE_CLIENT_SECRET;
        const json = (() => {
          try {
            return String(req.headers["content-type"] ?? "").startsWith("application/json") ? (JSON.parse(body) as Json) : null;
          } catch {
            return null;
          }
        })();
        const revokeWhere = (match: (grant: Grant) => boolean) => {
          const hit = grants.filter((grant) => !grant.revoked && match(grant));
          for (const grant of hit) grant.revoked = true;
          return hit.length;
        };
        if (style === "rfc7009" || style === "rfc7009-post" || style === "rfc7009-basic") {
          const form = new URLSearchParams(body);
          const client = clientOf(req, form);
          const how = style === "rfc7009-post" ? "post" : style === "rfc7009-basic" ? "basic" : behaviour.clientAuth;
          if (client.how !== how || client.secret !== DOUBLE_CLIENT_SECRET) return send(oauthError("invalid_client", `expected client_secret_${how}`, 401));
          const presented = form.get("token") ?? "";
          for (const grant of grants) if (grant.accessToken === presented || grant.refreshToken === presented) grant.revoked = true;
          res.writeHead(200);
          return res.end();
        }
        if (req.method !== (style === "github-grant" || style === "bearer-delete" ? "DELETE" : "POST")) return send({ status: 405, body: { error: `method ${req.method}` } });
        if (style === "bearer-delete") {
          // Zendesk: DELETE /api/v2/oauth/tokens/current.json with the token as Bearer; 204, its grant gone.
          const grant = live(bearer);
          if (!grant) return send(behaviour.deadToken);
          grant.revoked = true;
          res.writeHead(204);
          return res.end();
        }
        if (style === "client-json") {
          // Webflow: POST {client_id, client_secret, access_token} as JSON; 200 {did_revoke: true}. The refusals'
          // codes are documented (invalid_client, invalid_token), their status is not: 400 is assumed.
          if (json === null) return send(oauthError("invalid_request", "the body must be JSON"));
          if (json.client_id !== DOUBLE_CLIENT_ID || json.client_secret !== DOUBLE_CLIENT_SECRET) return send(oauthError("invalid_client", "bad client"));
          const presented = typeof json.access_token === "string" ? json.access_token : "";
          if (revokeWhere((grant) => grant.accessToken === presented) === 0) return send(oauthError("invalid_token", "the token does not exist or is revoked"));
          return send({ status: 200, body: { did_revoke: true } });
        }
        if (style === "client-json-camel") {
          // Miro: POST /v2/oauth/revoke {accessToken, clientId, clientSecret}; 204, the access token and its refresh
          // token gone; a failure is a 404 in Miro's error shape.
          const refused = (message: string) => send({ status: 404, body: { status: 404, code: "notFound", message, type: "error" } });
          if (json === null) return refused("the body must be JSON");
          if (json.clientId !== DOUBLE_CLIENT_ID || json.clientSecret !== DOUBLE_CLIENT_SECRET) return refused("bad client");
          const grant = live(typeof json.accessToken === "string" ? json.accessToken : undefined);
          if (!grant) return refused("token not found");
          grant.revoked = true;
          res.writeHead(204);
          return res.end();
        }
        if (style === "bearer") {
          // Slack auth.revoke: {ok, revoked}; Dropbox /2/auth/token/revoke: no parameters, a null body. Both revoke
          // the grant the access token belongs to (Dropbox: its refresh token too).
          const grant = live(bearer);
          if (preset === "slack") {
            if (!grant) return send({ status: 200, body: { ok: false, error: "invalid_auth" } });
            grant.revoked = true;
            return send({ status: 200, body: { ok: true, revoked: true } });
          }
          if (body !== "") return send({ status: 400, body: { error_summary: "request body must be empty/" } });
          if (!grant) return send(behaviour.deadToken);
          grant.revoked = true;
          return send({ status: 200, body: null });
        }
        if (style === "basic-json") {
          // Notion: Basic client auth, Notion-Version, {token}
          if (!basicOk) return send({ status: 401, body: { object: "error", status: 401, code: "unauthorized", message: "bad client" } });
          for (const header of behaviour.requiredHeaders ?? []) {
            if (!req.headers[header]) return send({ status: 400, body: { object: "error", status: 400, code: "missing_version", message: `${header} header missing` } });
          }
          const presented = typeof json?.token === "string" ? json.token : "";
          if (revokeWhere((grant) => grant.accessToken === presented) === 0) return send({ status: 400, body: { object: "error", status: 400, code: "validation_error", message: "token invalid" } });
          return send({ status: 200, body: { request_id: randomBytes(8).toString("hex") } });
        }
        if (style === "basic-json-refresh") {
          // Intuit: POST {token} (the refresh token, or a live access token), Basic client auth, JSON; 200, and the
          // whole authorization ends. A token the app does not hold is refused.
          if (!basicOk) return send(oauthError("invalid_client", "bad client", 401));
          if (json === null) return send(oauthError("invalid_request", "the body must be JSON"));
          const presented = typeof json.token === "string" ? json.token : "";
          const owner = grants.find((grant) => !grant.revoked && (grant.refreshToken === presented || (grant.accessToken === presented && !grant.accessExpired)));
          if (!owner || revokeWhere((grant) => grant.integration === owner.integration) === 0) return send(oauthError("invalid_grant", "token invalid"));
          res.writeHead(200);
          return res.end();
        }
        if (style === "github-grant") {
          // DELETE /applications/{client_id}/grant, Basic client_id:client_secret, {access_token}: 204, every token
          // of the authorization gone; 404 for a token the app does not know.
          if (rest.join("/") !== `applications/${DOUBLE_CLIENT_ID}/grant`) return send({ status: 404, body: { message: "Not Found" } });
          if (!basicOk) return send({ status: 401, body: { message: "Bad credentials" } });
          const presented = typeof json?.access_token === "string" ? json.access_token : "";
          const owner = grants.find((grant) => grant.accessToken === presented);
          if (!owner || revokeWhere((grant) => grant.integration === owner.integration) === 0) return send({ status: 404, body: { message: "Not Found" } });
          res.writeHead(204);
          return res.end();
        }
        // stripe-deauthorize: the platform's secret key, client_id and the connected account's id
        const form = new URLSearchParams(body);
        if (bearer !== DOUBLE_CLIENT_SECRET) return send({ status: 401, body: { error: "invalid_client", error_description: "No such API key" } });
        if (form.get("client_id") !== DOUBLE_CLIENT_ID) return send(oauthError("invalid_client", "No such application"));
        const account = form.get("stripe_user_id") ?? "";
        const connected = behaviour.tokenFields?.({ origin }).stripe_user_id;
        if (account !== connected || revokeWhere((grant) => grant.integration.startsWith("stripe")) === 0) {
          return send(oauthError("invalid_client", `${account} is not connected to this application`));
        }
        return send({ status: 200, body: { stripe_user_id: account } });
      }
      case "userinfo": {
        const scheme = behaviour.userinfoScheme ?? "Bearer";
        const presented = new RegExp(`^${scheme}\\s+(\\S+)$`).exec(req.headers.authorization ?? "")?.[1];
        if (!live(presented)) return send(behaviour.deadToken);
        return send({ status: 200, body: typeof behaviour.userinfo === "function" ? behaviour.userinfo({ origin }) : (behaviour.userinfo ?? {}) });
      }
      case "api":
      case "instance": {
        for (const header of behaviour.requiredHeaders ?? []) {
          if (!req.headers[header]) return send({ status: 400, body: { object: "error", status: 400, code: "missing_version", message: `${header} header missing` } });
        }
        if ((behaviour.method ?? "GET") !== req.method) return send({ status: 405, body: { error: "method" } });
        const grant = live(bearer);
        if (!grant) return send(behaviour.deadToken);
        if (behaviour.rateLimit && limited.delete(grant.integration)) {
          const { reply } = behaviour.rateLimit;
          const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k, v === "__IN_AN_HOUR__" ? String(now() + 3600) : v]));
          return send({ ...reply, headers });
        }
        const forced = failWith.get(grant.accessToken);
        if (forced) return send(forced);
        const budget = budgets.get(grant.integration);
        if (budget) {
          const windowKey = `${grant.integration}|${budget.per === "app" ? "" : grant.accessToken}|${Math.floor(Date.now() / 1000 / budget.windowSeconds)}`;
          const used = (windows.get(windowKey) ?? 0) + 1;
          windows.set(windowKey, used);
          if (used > budget.requests) {
            excess.count++;
            return send({ status: 429, headers: { "Retry-After": String(budget.windowSeconds) }, body: { error: "rate limit exceeded" } });
          }
        }
        let json: Json | null = null;
        try {
          json = body ? (JSON.parse(body) as Json) : null;
        } catch {
          return send({ status: 400, body: { error: "invalid JSON body" } });
        }
        // The account's items, as of their last change; a listing that asks for changes gets only those.
        const changes = behaviour.changes;
        const since =
          changes?.style === "since" && url.searchParams.has(changes.param)
            ? /^\d+$/.test(url.searchParams.get(changes.param)!)
              ? Number(url.searchParams.get(changes.param)) * (changes.format === "epoch-ms" ? 1 : 1000)
              : Date.parse(url.searchParams.get(changes.param)!)
            : changes?.style === "token" && url.searchParams.has(changes.param)
              ? Number(url.searchParams.get(changes.param))
              : null;
        const all: Json[] = [];
        for (let n = 1; n <= (grant.items ?? items.get(grant.integration) ?? 3); n++) {
          const at = grant.deleted?.get(n) ?? grant.changed?.get(n) ?? Date.UTC(2020, 0, 1);
          if (since !== null && at <= since) continue;
          const item = behaviour.stamp ? behaviour.stamp(behaviour.item(n), at) : behaviour.item(n);
          if (grant.deleted?.has(n)) {
            if (changes?.style === "token" && since !== null) all.push(changes.deleted(item));
            continue;
          }
          all.push(item);
        }
        const ctx = { origin, url, total: all.length };
        const offset = behaviour.pages ? behaviour.pages.offset({ url, json }, all) : 0;
        const size = behaviour.pages ? paging.size : all.length;
        const next = offset + size < all.length ? offset + size : null;
        let listed = behaviour.list(all.slice(offset, offset + size), next, ctx);
        if (changes?.style === "token" && next === null && typeof listed === "object" && listed !== null && !(changes.field in listed)) {
          listed = { ...listed, [changes.field]: String(Date.now()) };
        }
        const reply = { status: 200, body: listed, headers: behaviour.pages?.headers?.(next, ctx) ?? {} };
        const answer = () => send(reply);
        const hook = hooks.onApiRequest?.(grant, url);
        if (latency.ms > 0 || hook) {
          void Promise.resolve(hook).then(() => setTimeout(answer, latency.ms));
          return;
        }
        return answer();
      }
      default:
        return send({ status: 404, body: { error: "unknown endpoint" } });
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        res.writeHead(500);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    endpoints(preset) {
      const behaviour = BEHAVIOURS[preset]!;
      const spec = loadPreset(preset);
      return {
        authUrl: `${origin}/${preset}/authorize`,
        tokenUrl: `${origin}/${preset}/token`,
        apiBaseUrl: `${origin}/${preset}/api`,
        ...(spec.userinfoUrl ? { userinfoUrl: `${origin}/${preset}/userinfo` } : {}),
        ...(spec.revocationUrl && behaviour.revocation
          ? { revocationUrl: `${origin}/${preset}/revoke${(spec.revocationStyle ?? "rfc7009") === "github-grant" ? "/applications/{client_id}/grant" : ""}` }
          : {}),
      };
    },
    grants,
    grantOf(integration) {
      const grant = grants.filter((g) => g.integration === integration).at(-1);
      if (!grant) throw new Error(`no grant for ${integration}`);
      return grant;
    },
    requests,
    items,
    rateLimitOnce: (integration) => void limited.add(integration),
    seedGrant(integration, options = {}) {
      const behaviour = BEHAVIOURS[integration.replace(/-(adv|bulk)$/, "")];
      const grant: Grant = {
        integration,
        accessToken: token("at"),
        refreshToken: behaviour?.refresh === "none" ? null : token("rt"),
        accessExpired: false,
        revoked: false,
        refreshes: 0,
        spentRefreshTokens: new Set(),
        ...(options.items !== undefined ? { items: options.items } : {}),
      };
      grants.push(grant);
      index(grant);
      return grant;
    },
    budgets,
    excess,
    refreshReuse,
    failWith,
    latency,
    get onApiRequest() {
      return hooks.onApiRequest;
    },
    set onApiRequest(hook) {
      hooks.onApiRequest = hook;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
