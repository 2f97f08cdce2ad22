import * as z from "zod";
import type { FieldIssue } from "../errors.js";

/**
 * IntegrationSpec: the single source of truth for every input. Flags, spec files, presets (and later
 * prompts and discovery) all produce a partial input that is validated here; nothing reaches a template
 * without passing through this schema.
 */

export const ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const PARAM_NAME = /^[A-Za-z0-9_.-]+$/;
const FIELD_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
/** A field path that may step into an array by index after its first name (Gusto's `errors.0.category`). */
const INDEXED_FIELD_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.(?:[A-Za-z_$][A-Za-z0-9_$]*|\d{1,3}))*$/;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Authorization parameters the generated code sets itself; a spec may not override them. */
export const RESERVED_AUTH_PARAMS = [
  "client_id",
  "code_challenge",
  "code_challenge_method",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
] as const;

function describeChar(char: string): string {
  if (char === " ") return "a space";
  if (char === '"') return "a double quote";
  if (char === "\\") return "a backslash";
  if (char === "\n") return "a newline";
  if (char === "\t") return "a tab";
  const code = char.codePointAt(0) ?? 0;
  return `the character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

function firstBadChar(value: string, allowed: RegExp): string | undefined {
  for (const char of value) {
    if (!allowed.test(char)) return char;
  }
  return undefined;
}

const plainText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARS.test(value), `${field} must not contain newlines or control characters`);

/** An endpoint URL: https, or http on a loopback host for local testing. No credentials, no fragment. */
/** How disconnect revokes a grant (see revocationStyle). */
export const REVOCATION_STYLES = [
  "rfc7009",
  "rfc7009-post",
  "rfc7009-basic",
  "bearer",
  "bearer-delete",
  "client-json",
  "client-json-camel",
  "basic-json",
  "basic-json-refresh",
  "github-grant",
  "stripe-deauthorize",
] as const;

export const endpointUrl = z.string({ error: "must be a URL" }).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a valid absolute URL` });
    return;
  }
  const loopback = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !loopback) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" must use https (http is allowed only for localhost and 127.0.0.1)`,
    });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: "custom", message: `"${value}" must not contain credentials` });
  }
  if (url.hash) {
    ctx.addIssue({ code: "custom", message: `"${value}" must not contain a #fragment` });
  }
  if (CONTROL_CHARS.test(value) || /\s/.test(value)) {
    ctx.addIssue({ code: "custom", message: `"${value}" must not contain whitespace` });
  }
});

export const scopeToken = z.string({ error: "a scope must be text" }).superRefine((value, ctx) => {
  if (value.length === 0) {
    ctx.addIssue({ code: "custom", message: "a scope must not be empty" });
    return;
  }
  const bad = firstBadChar(value, /[\x21\x23-\x5B\x5D-\x7E]/);
  if (bad !== undefined || !SCOPE_TOKEN.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" contains ${describeChar(bad ?? value)} (RFC 6749 scope tokens are printable ASCII without spaces, quotes or backslashes)`,
    });
  }
});

const USERINFO_SEGMENT = String.raw`(?:[A-Za-z0-9_$@-]+|\[[A-Za-z0-9_]+=[A-Za-z0-9_.:@-]*\])`;
const USERINFO_PATH = new RegExp(`^${USERINFO_SEGMENT}(?:\\.[A-Za-z0-9_$@-]+|\\[[A-Za-z0-9_]+=[A-Za-z0-9_.:@-]*\\])*$`);
const userinfoPath = z
  .string()
  .max(200, "must be at most 200 characters")
  .regex(USERINFO_PATH, 'must be a path such as "data.id", "0.id" or "accounts[is_default=true].base_uri"');

/** A response field: a dotted path (`paging.next.after`), or a key that has dots or `@` in it (`@odata.nextLink`). */
const RESPONSE_FIELD = /^[A-Za-z_$@][A-Za-z0-9_$@.-]*$/;
const responseField = z.string().regex(RESPONSE_FIELD, 'must be a response field such as "paging.next.after" or "@odata.nextLink"');
const queryParam = z.string().regex(PARAM_NAME, "parameter names are letters, digits, '_', '.' and '-'");

/**
 * How an API pages its list. cursor: the next cursor is a response field, sent back as a query parameter
 * (HubSpot, Slack, Google, Zoom, Notion); next-url: a response field holds the next page's URL (Microsoft Graph,
 * Salesforce); link-header: RFC 8288 `Link: <…>; rel="next"` (GitHub); last-id: while a flag says there is more,
 * the last item's id goes in a query parameter (Stripe); body-cursor: the next page is a POST carrying the cursor
 * (Dropbox's list_folder/continue); offset: the next page starts after the items read so far (Mailchimp's offset,
 * Attio's body offset); page: numbered pages (Typeform's page). A next page on another origin than the API is never
 * followed.
 */
const paginationSchema = z.discriminatedUnion(
  "style",
  [
    z.strictObject({
      style: z.literal("cursor"),
      cursorField: responseField,
      param: queryParam,
      /** A response field that is false on the last page, whatever the cursor field holds (Eventbrite's pagination.has_more_items). */
      hasMoreField: responseField.nullable().default(null),
    }),
    z.strictObject({
      style: z.literal("next-url"),
      urlField: responseField,
      /** A response field that is false on the last page, whatever the URL field holds (Zendesk's meta.has_more). */
      hasMoreField: responseField.nullable().default(null),
    }),
    z.strictObject({ style: z.literal("link-header") }),
    z.strictObject({ style: z.literal("last-id"), hasMoreField: responseField, param: queryParam }),
    z.strictObject({
      style: z.literal("body-cursor"),
      cursorField: responseField,
      hasMoreField: responseField.nullable().default(null),
      param: queryParam,
      /** The path the next pages are POSTed to; null: the sync path, with the cursor added to its body. */
      path: z.string().regex(/^\/(?!\/)[^\s?#]*$/, 'must be a path on the API base URL starting with "/"').nullable().default(null),
    }),
    z.strictObject({
      style: z.literal("offset"),
      param: queryParam,
      /** Where the offset goes: the query, or the JSON body of a POST sync (Attio's records query). */
      in: z.enum(["query", "body"], { error: 'must be "query" or "body"' }).default("query"),
      /** A response field with the number of items in all (Mailchimp's total_items); null: read until a page is empty. */
      totalField: responseField.nullable().default(null),
    }),
    z.strictObject({
      style: z.literal("page"),
      param: queryParam,
      /** The number of the first page (1 for most APIs, 0 for ClickUp's). */
      first: z.number().int().min(0).max(1).default(1),
      /** A response field with the number of pages (Typeform's page_count); null: read until a page is empty. */
      pageCountField: responseField.nullable().default(null),
    }),
  ],
  { error: 'style must be "cursor", "next-url", "link-header", "last-id", "body-cursor", "offset" or "page"' },
);

const syncSchema = z.strictObject({
  path: z
    .string({ error: "must be a path" })
    .regex(/^\/(?!\/)[^\s]*$/, 'must be a path on the API base URL starting with "/" (for example "/v1/items")')
    .refine((value) => !CONTROL_CHARS.test(value), "must not contain control characters")
    .max(500, "must be at most 500 characters"),
  itemsField: z
    .string()
    .regex(FIELD_PATH, 'must be a dotted field path such as "results" or "data.items"')
    .nullable()
    .default(null),
  idField: z.string().regex(FIELD_PATH, 'must be a dotted field path such as "id"').default("id"),
  /** The field of a record a person can read (a contact's email, an event's subject), shown in the record list. */
  displayField: z
    .string()
    .regex(FIELD_PATH, 'must be a dotted field path such as "name" or "properties.email"')
    .nullable()
    .default(null),
  method: z.enum(["GET", "POST"], { error: 'must be "GET" or "POST"' }).default("GET"),
  /** Static request headers the provider's API needs (e.g. Notion-Version). */
  headers: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, "header names are letters, digits and '-'")
        .refine((name) => !["authorization", "cookie", "host"].includes(name.toLowerCase()), "this header is set by the generated code"),
      plainText("a header value", 200),
    )
    .default({}),
  /** A connection field (see connectionFields) holding this connection's API base URL (Salesforce: instance_url). */
  baseUrlField: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a field name").nullable().default(null),
  /** JSON body for a POST sync request (e.g. Dropbox's list_folder). */
  body: z.record(z.string(), z.json()).nullable().default(null),
  /** How the API hands out the next page (null: one request). */
  pagination: paginationSchema.nullable().default(null),
  /** Pages one job reads before giving its turn back; the job continues from its checkpoint at the next claim. */
  maxPages: z.number({ error: "must be a number" }).int().min(1).max(100).default(10),
  /**
   * How often Supabase Cron syncs each connection, in seconds: at least 30 (Nango's minimum), at most a week, so
   * every scheduled sync also keeps refresh tokens that die when unused alive (the shortest idle lifetime of a
   * preset is Xero's 60 days).
   */
  frequencySeconds: z
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(30, "must be at least 30 seconds")
    .max(604_800, "must be at most a week (604800 seconds)")
    .default(3600),
  /** How the next run lists only what changed (see ProviderConfig.sync.incremental); null: full listings. */
  incremental: z
    .discriminatedUnion(
      "style",
      [
        z.strictObject({
          style: z.literal("since"),
          param: queryParam,
          /** ISO 8601, or Unix time in seconds (`epoch`) or milliseconds (`epoch-ms`, ClickUp's date_updated_gt). */
          format: z.enum(["iso", "epoch", "epoch-ms"], { error: 'must be "iso", "epoch" or "epoch-ms"' }).default("iso"),
          /** The next run starts this long before the last one started (clock skew, late writes). */
          overlapSeconds: z.number().int().min(0).max(86_400).default(60),
        }),
        z.strictObject({ style: z.literal("delta-link"), urlField: responseField }),
        z.strictObject({
          style: z.literal("token"),
          field: responseField,
          param: queryParam,
          in: z.enum(["query", "body"], { error: 'must be "query" or "body"' }).default("query"),
          path: z.string().regex(/^\/(?!\/)[^\s?#]*$/, 'must be a path on the API base URL starting with "/"').nullable().default(null),
        }),
      ],
      { error: 'style must be "since", "delta-link" or "token"' },
    )
    .nullable()
    .default(null),
  /** Listed items that report a deletion: `field` present (value null), or equal to `value`. */
  removed: z.strictObject({ field: responseField, value: z.string().nullable().default(null) }).nullable().default(null),
  /** The provider's documented request budget, enforced across all workers; null: none documented. */
  rateLimit: z
    .strictObject({
      requests: z.number().int().min(1).max(1_000_000),
      windowSeconds: z.number().int().min(1).max(86_400),
      per: z.enum(["app", "connection"], { error: 'must be "app" or "connection"' }),
    })
    .nullable()
    .default(null),
});

/**
 * How a provider signs webhooks and proves an endpoint (templates/advanced/shared/…/webhooks.ts.hbs); "none":
 * the provider sends no webhooks an OAuth app can receive, so no receiver is generated (as with no `webhooks`).
 */
export const WEBHOOK_SCHEMES = [
  "github-sha256",
  "slack-v0",
  "stripe",
  "hubspot-v3",
  "generic-hmac-sha256",
  "xero",
  "linkedin",
  "zoom",
  "dropbox",
  "notion",
  "microsoft-graph",
  "intercom",
  "zendesk",
  "webflow",
  "calendly",
  "box",
  "linear",
  "helpscout",
  "none",
] as const;

const webhooksSchema = z.strictObject({
  scheme: z.enum(WEBHOOK_SCHEMES, { error: `must be one of ${WEBHOOK_SCHEMES.join(", ")}` }),
  signatureHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").nullable().default(null),
  timestampHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").nullable().default(null),
  toleranceSeconds: z.number().int().min(1).max(86_400).nullable().default(null),
  signatureEncoding: z.enum(["hex", "base64"], { error: 'must be "hex" or "base64"' }).default("hex"),
  docsUrl: endpointUrl.nullable().default(null),
});

/**
 * Errors a provider reports outside RFC 6749 and HTTP status codes: Slack answers HTTP 200 with
 * `{"ok": false, "error": "token_revoked"}`; HubSpot's v1 token endpoint `{"status": "BAD_REFRESH_TOKEN"}`.
 */
const errorsSchema = z.strictObject({
  /** A body field that is `false` when the call failed, whatever the HTTP status (Slack: "ok"). */
  okField: z.string().regex(FIELD_PATH, 'must be a dotted field path such as "ok"').nullable().default(null),
  /** The body field holding the provider's error code (Slack: "error", HubSpot v1: "status"). */
  codeField: z.string().regex(INDEXED_FIELD_PATH, 'must be a dotted field path such as "error" or "errors.0.code"').default("error"),
  /** Codes that mean the authorization is gone (revoked, uninstalled, dead refresh token): the user reconnects. */
  reauth: z.array(z.string().regex(/^[A-Za-z0-9_.:-]+$/, "error codes are letters, digits, '_', '.', ':' and '-'")).max(20).default([]),
});

/**
 * The provider's console, for the docs page: where the app is created, the steps there (in the words of the tool,
 * written from the provider's documentation at docsUrl; `{redirectUri}`, `{scopes}` and `{webhookUrl}` stand for
 * this integration's values), whether one app holds several redirect URIs (`many`) or one (`one`: one app per
 * environment), what to register per environment, and where the webhook signing secret is.
 */
const CONSOLE_PLACEHOLDERS = ["redirectUri", "scopes", "webhookUrl"];
const consoleSchema = z.strictObject({
  url: endpointUrl,
  docsUrl: endpointUrl,
  steps: z
    .array(
      plainText("a console step", 400).superRefine((step, ctx) => {
        for (const [, name] of step.matchAll(/\{([A-Za-z]+)\}/g)) {
          if (!CONSOLE_PLACEHOLDERS.includes(name!)) {
            ctx.addIssue({ code: "custom", message: `{${name}} is not a placeholder (${CONSOLE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})` });
          }
        }
      }),
    )
    .min(2, "at least two steps")
    .max(10, "at most 10 steps"),
  redirectUris: z.enum(["many", "one"], { error: 'must be "many" (one app holds several redirect URIs) or "one" (one per app)' }),
  environments: plainText("environments", 600),
  webhookSecret: plainText("webhookSecret", 400).nullable().default(null),
});

/** The folder name under which the generator keeps its shared files (`_shared/nexus-integrate/`). */
export const TOOL_NAMESPACE = "nexus-integrate";

export const TEMPLATE_SETS = ["basic", "advanced"] as const;
export const SCOPE_SEPARATORS = [" ", ","] as const;
export const TOKEN_AUTH_METHODS = ["client_secret_post", "client_secret_basic"] as const;

export const integrationSpecSchema = z.strictObject({
  id: z.string({ error: "is required" }).superRefine((value, ctx) => {
    if (value.length < 2 || value.length > 40 || !ID_PATTERN.test(value)) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(value)} must be a slug: 2–40 lowercase letters, digits and single hyphens, starting with a letter`,
      });
    } else if (value === TOOL_NAMESPACE) {
      ctx.addIssue({ code: "custom", message: `"${value}" is reserved: the generator's shared files live in folders of that name` });
    } else if (value === "health") {
      ctx.addIssue({ code: "custom", message: `"health" is reserved: the admins' health page is at <routesBase>/health (name it, for example, health-app)` });
    }
  }),
  displayName: plainText("the display name", 80),
  pascalName: z
    .string()
    .regex(/^[A-Z][A-Za-z0-9]{1,59}$/, "must be a PascalCase identifier (letters and digits, starting with a capital)"),
  /** The authorization server's issuer identifier (checked against `iss`); defaults to the authorization URL's origin. */
  issuer: endpointUrl.nullable().default(null),
  authorizationUrl: endpointUrl,
  tokenUrl: endpointUrl,
  userinfoUrl: endpointUrl.nullable().default(null),
  revocationUrl: endpointUrl.nullable().default(null),
  /**
   * How disconnect revokes the grant at revocationUrl. `rfc7009`: RFC 7009 (the refresh token, else the access
   * token, with the client's token-endpoint authentication). The providers' own shapes: `bearer`, a POST with the
   * access token as Bearer (Slack auth.revoke, Dropbox /2/auth/token/revoke); `basic-json`, a POST with Basic client
   * authentication and `{"token": <access token>}` (Notion); `basic-json-refresh`, the same with the refresh token
   * when there is one, which carries the grant (Intuit's revoke endpoint); `github-grant`, DELETE /applications/{client_id}/grant
   * with Basic authentication and `{"access_token"}`, which ends the whole authorization; `stripe-deauthorize`, a
   * POST of client_id and the connection's stripe_user_id with the platform's secret key; `rfc7009-post`, RFC 7009
   * with the client's id and secret in the form body whatever the token endpoint takes (Calendly); `rfc7009-basic`, the
   * same with HTTP Basic (Todoist, whose token endpoint reads them from the body); `bearer-delete`,
   * a DELETE with the access token as Bearer (Zendesk's DELETE /api/v2/oauth/tokens/current.json); `client-json`, a
   * POST of JSON `{client_id, client_secret, access_token}` (Webflow's /oauth/revoke_authorization); `client-json-camel`, the same as
   * `{clientId, clientSecret, accessToken}` (Miro's /v2/oauth/revoke, which ends the refresh token too).
   */
  revocationStyle: z
    .enum(REVOCATION_STYLES, { error: `must be one of ${REVOCATION_STYLES.join(", ")}` })
    .default("rfc7009"),
  apiBaseUrl: endpointUrl,
  /** Empty for providers that take no `scope` parameter (Notion: access is set in the integration's settings). */
  scopes: z.array(scopeToken).max(50, "at most 50 scopes"),
  scopeSeparator: z.enum(SCOPE_SEPARATORS, { error: 'must be " " (space) or ","' }).default(" "),
  authorizationParams: z
    .record(
      z
        .string()
        .regex(PARAM_NAME, "parameter names are letters, digits, '_', '.' and '-'")
        .superRefine((key, ctx) => {
          if ((RESERVED_AUTH_PARAMS as readonly string[]).includes(key)) {
            ctx.addIssue({ code: "custom", message: `${JSON.stringify(key)} is set by the generated code and cannot be overridden` });
          }
        }),
      plainText("a parameter value", 200),
    )
    .default({}),
  pkce: z.boolean({ error: "must be true or false" }).default(true),
  tokenEndpointAuthMethod: z
    .enum(TOKEN_AUTH_METHODS, { error: 'must be "client_secret_post" or "client_secret_basic"' })
    .default("client_secret_post"),
  /** How the token request is sent: an RFC 6749 form, or the same parameters as JSON (Zendesk, Webflow). */
  tokenRequestFormat: z.enum(["form", "json"], { error: 'must be "form" or "json"' }).default("form"),
  template: z.enum(TEMPLATE_SETS, { error: 'must be "basic" or "advanced"' }).default("basic"),
  /** What the user gets; `{app}` stands for the app's name (config `appName`). */
  benefits: z.array(plainText("a benefit", 200)).min(1, "at least one benefit").max(8, "at most 8 benefits"),
  sync: syncSchema,
  docsUrl: endpointUrl.nullable().default(null),
  /** Provider-specific caveats, shown in the generated docs page. */
  notes: plainText("notes", 2000).nullable().default(null),
  /**
   * Values to keep per connection, from the callback parameters or the token response (QuickBooks: realmId,
   * Salesforce: instance_url). `sync.path` may use them as {name}.
   */
  connectionFields: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a field name")).max(10).default([]),
  /**
   * Connection fields read from the userinfo response after the exchange, by path: values only a call with the new
   * token tells (Mailchimp's api_endpoint from its metadata, DocuSign's account base_uri, X's user id). A path is
   * dotted names, digits index arrays, and `[key=value]` picks the first array element whose key has that value
   * (`accounts[is_default=true].base_uri`).
   */
  userinfoFields: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a field name"), userinfoPath).default({}),
  /**
   * The Authorization scheme the userinfo endpoint takes the access token in: `Bearer` (RFC 6750), or `OAuth`
   * (Mailchimp's metadata endpoint, whose guide sends `Authorization: OAuth <token>`).
   */
  userinfoTokenScheme: z.enum(["Bearer", "OAuth"], { error: 'must be "Bearer" or "OAuth"' }).default("Bearer"),
  /** token_type values besides bearer and DPoP the provider issues (Slack: "bot"). */
  tokenTypes: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, "token types are lowercase words")).max(5).default([]),
  /** Errors the provider reports in its own shape (see errorsSchema); null when it follows RFC 6749 and HTTP. */
  errors: errorsSchema.nullable().default(null),
  /** How long a refresh token lives unused, in seconds (Google: six months); null when it does not die of disuse. */
  refreshTokenIdleSeconds: z.number().int().min(3600).max(10 * 365 * 86_400).nullable().default(null),
  /** How the provider signs webhooks (used by the advanced template set). */
  webhooks: webhooksSchema.nullable().default(null),
  /** Registering the app in the provider's console, from its own documentation (the docs page's step 1). */
  console: consoleSchema.nullable().default(null),
});

/** Placeholders in sync.path and sync.baseUrlField must name connection fields. */
export const integrationSpecChecked = integrationSpecSchema.superRefine((spec, ctx) => {
  if (spec.revocationStyle !== "rfc7009" && spec.revocationUrl === null) {
    ctx.addIssue({ code: "custom", path: ["revocationStyle"], message: `"${spec.revocationStyle}" needs a revocationUrl` });
  }
  if (spec.revocationStyle === "github-grant" && spec.revocationUrl !== null && !spec.revocationUrl.includes("{client_id}")) {
    ctx.addIssue({ code: "custom", path: ["revocationUrl"], message: 'a github-grant revocationUrl names the app as {client_id} (https://api.github.com/applications/{client_id}/grant)' });
  }
  if (spec.revocationStyle === "stripe-deauthorize" && !spec.connectionFields.includes("stripe_user_id")) {
    ctx.addIssue({ code: "custom", path: ["connectionFields"], message: 'stripe-deauthorize needs "stripe_user_id" in connectionFields (the account it deauthorizes)' });
  }
  for (const [, name] of spec.sync.path.matchAll(/\{([^}]*)\}/g)) {
    // {now}, {now-30d}, {now+365d}: times relative to the run's start (a delta window's bounds).
    if (/^now(?:[+-]\d{1,4}d)?$/.test(name!)) continue;
    if (!spec.connectionFields.includes(name!)) {
      ctx.addIssue({ code: "custom", path: ["sync", "path"], message: `{${name}} is not one of connectionFields (${spec.connectionFields.join(", ") || "none"})` });
    }
  }
  if (spec.sync.baseUrlField !== null && !spec.connectionFields.includes(spec.sync.baseUrlField)) {
    ctx.addIssue({ code: "custom", path: ["sync", "baseUrlField"], message: `"${spec.sync.baseUrlField}" is not one of connectionFields` });
  }
  for (const name of Object.keys(spec.userinfoFields)) {
    if (!spec.connectionFields.includes(name)) {
      ctx.addIssue({ code: "custom", path: ["userinfoFields", name], message: `"${name}" is not one of connectionFields` });
    }
  }
  if (Object.keys(spec.userinfoFields).length > 0 && spec.userinfoUrl === null) {
    ctx.addIssue({ code: "custom", path: ["userinfoFields"], message: "userinfoFields needs a userinfoUrl (the response they are read from)" });
  }
  if (spec.sync.body !== null && spec.sync.method !== "POST") {
    ctx.addIssue({ code: "custom", path: ["sync", "body"], message: 'a body needs method "POST"' });
  }
});

/** A fully resolved, validated spec (defaults applied). This is what the lockfile records. */
export type IntegrationSpec = z.output<typeof integrationSpecSchema>;
/** What flags, spec files and presets provide before validation. */
export type IntegrationSpecInput = Partial<z.input<typeof integrationSpecSchema>>;

/** The fields every spec must end up with, and the flag that supplies each one. */
export const REQUIRED_FIELD_FLAGS: Record<string, string> = {
  displayName: "--name",
  authorizationUrl: "--auth-url",
  tokenUrl: "--token-url",
  apiBaseUrl: "--api-base-url",
  scopes: "--scopes",
  "sync.path": "--sync-path",
};

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

export function zodIssuesToFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return {
        path: formatPath(issue.path),
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`,
      };
    }
    if (issue.code === "invalid_key" && issue.issues.length > 0) {
      return { path: formatPath(issue.path), message: issue.issues.map((inner) => inner.message).join("; ") };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}
