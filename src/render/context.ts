import { healthPagePath, type RepoConfig } from "../repo/config.js";
import { NO_ROUTER, usesFileRoutes } from "../repo/tanstack.js";
import { deriveNames, type IntegrationNames } from "../spec/names.js";
import type { IntegrationSpec, WEBHOOK_SCHEMES } from "../spec/schema.js";
import { mdCode } from "./helpers.js";

/** Names every shared (written-once) template may use. */
export interface SharedContext {
  tool: { name: string; version: string };
  env: { encryptionKey: string; stateKey: string; allowedOrigins: string };
  imports: RepoConfig["imports"];
  /** `dir`: where file routes go (paths.routes, TanStack Router). */
  routes: { base: string; afterConnect: string; signIn: string; health: string; dir: string };
  urls: { app: string };
  /** The app as its users know it (printed through tsString / jsxText only). */
  app: { name: string };
  /** How the pages are styled and which of the app's shadcn parts they import (see repo/front-end.ts). */
  ui: {
    style: string;
    alias: string;
    tailwind4: boolean;
    button: boolean;
    card: boolean;
    alert: boolean;
    badge: boolean;
    /** The tool adds its own integrations page (and route) at routes.afterConnect. */
    indexPage: boolean;
    /** The tool adds the admins' health page (and route) at routes.health (the app has Recharts). */
    healthPage: boolean;
  };
  /** The app's router: file routes (TanStack Router's plugin) get route files; the others get `<Route>`s in paths.router. */
  router: { fileRoutes: boolean; none: boolean; elements: boolean };
  /** The app's client may be null (env-optional): the generated client.ts stands a failing one in for it; `file` is its module. */
  client: { nullable: boolean; file: string };
  /** The app has its own root deno.json: no deno.jsonc of the tool's beside it (a next step says what to add). */
  deno: { appConfig: boolean };
  /** The JWT claim that marks an admin: its path (`["app_metadata", "role"]`) and value (printed through sqlLiteral / tsString only). */
  admin: { path: string[]; value: string; claim: string };
}

/** Everything an integration template sees. Raw-printable roots are validated to be code-safe here. */
export interface IntegrationContext extends Omit<SharedContext, "env" | "routes" | "imports"> {
  spec: IntegrationSpec;
  names: IntegrationNames;
  env: SharedContext["env"] & {
    publicClientId: string;
    clientId: string;
    clientSecret: string;
    webhookSecret: string;
    webhookUrl: string;
    rateLimit: string;
  };
  fn: { exchange: string; sync: string; webhooks: string; dir: string };
  routes: { base: string; setup: string; callback: string; afterConnect: string; signIn: string; health: string; dir: string };
  tables: { records: string; webhookEvents: string };
  /** The NOLOGIN roles the functions' SQL runs under (schema step 007, the integration's steps 004 and 005). */
  dbRoles: { functions: string; webhooks: string };
  /** How the provider signs webhooks; null when it sends none (no receiver is generated). */
  webhook: {
    scheme: Exclude<(typeof WEBHOOK_SCHEMES)[number], "none">;
    signatureHeader: string | null;
    timestampHeader: string | null;
    toleranceSeconds: number | null;
    signatureEncoding: "hex" | "base64";
    docsUrl: string | null;
    /** What the webhook secret is, for the env example and docs. */
    secretHint: string;
  } | null;
  imports: RepoConfig["imports"] & { utils: string; functionErrors: string; session: string; integration: string; ui: string; shared: string };
  urls: { app: string; redirect: string; setup: string };
  /**
   * The provider's console (spec.console) for the docs page, its steps numbered and their placeholders filled in
   * as code spans (rendered with mdProse, which keeps them); null for a provider without one (a custom spec).
   */
  providerConsole: (Omit<NonNullable<IntegrationSpec["console"]>, "steps"> & { steps: { n: number; text: string }[] }) | null;
  /** The provider's app holds one redirect URI (GitHub's OAuth Apps): one app per environment. */
  oneRedirectUri: boolean;
}

/** What `adopt` knows of the hand-written integration's rows (the adoption template's context). */
export interface AdoptionContext {
  /** `user_integrations.integration_id` of its rows; null when the app has no such table. */
  legacyIntegrationId: string | null;
  /** Where the id is not known: `user_integrations.integration_name` of its rows (the code writes or filters by it). */
  legacyIntegrationName: string | null;
  /** `oauth_tokens.provider` of its rows. */
  legacyProvider: string;
  /** Whether the app's migrations create `public.user_integrations` / `public.oauth_tokens`. */
  userIntegrations: boolean;
  oauthTokens: boolean;
}

const SAFE_TEXT = /^[A-Za-z0-9_@~./-]+$/;

function assertSafeLeaves(root: string, value: Record<string, string>): void {
  for (const [key, leaf] of Object.entries(value)) {
    if (!SAFE_TEXT.test(leaf)) throw new Error(`internal: context ${root}.${key} is not code-safe: ${leaf}`);
  }
}

export function buildSharedContext(config: RepoConfig, version: string): SharedContext {
  const front = config.frontEnd;
  const context: SharedContext = {
    tool: { name: "nexus-integrate", version },
    env: {
      encryptionKey: "NEXUS_TOKEN_ENCRYPTION_KEY",
      stateKey: "NEXUS_STATE_SIGNING_KEY",
      allowedOrigins: "NEXUS_ALLOWED_ORIGINS",
    },
    // No router: the pages import Link and the two hooks from the tool's own stand-in (router.tsx).
    imports: { ...config.imports, ...(config.imports.router === NO_ROUTER ? { router: `${config.imports.components}/nexus-integrate/router` } : {}) },
    routes: { base: config.routesBase, afterConnect: front.afterConnectPath, signIn: front.signInPath, health: healthPagePath(config), dir: config.paths.routes },
    urls: { app: config.appUrl },
    app: { name: front.appName },
    ui: {
      style: front.style,
      alias: front.uiAlias,
      tailwind4: (front.tailwind ?? 4) >= 4,
      button: front.parts.button,
      card: front.parts.card,
      alert: front.parts.alert,
      badge: front.parts.badge,
      indexPage: front.indexPage,
      healthPage: front.healthPage,
    },
    router: { fileRoutes: usesFileRoutes(config), none: config.imports.router === NO_ROUTER, elements: !usesFileRoutes(config) && config.imports.router !== NO_ROUTER },
    client: { nullable: front.nullableClient !== null, file: front.nullableClient ?? "" },
    deno: { appConfig: front.denoConfig !== null },
    admin: { path: config.admin.claim.split("."), value: config.admin.equals, claim: config.admin.claim },
  };
  assertSafeLeaves("tool", context.tool);
  assertSafeLeaves("ui", { style: context.ui.style, alias: context.ui.alias });
  assertSafeLeaves("env", context.env);
  assertSafeLeaves("imports", context.imports);
  assertSafeLeaves("routes", context.routes);
  if (context.client.nullable) assertSafeLeaves("client", { file: context.client.file });
  return context;
}

/** What each scheme's secret is, as the provider's console calls it. */
const SECRET_HINTS: Record<Exclude<(typeof WEBHOOK_SCHEMES)[number], "none">, string> = {
  "github-sha256": "the webhook secret you set on the webhook",
  "slack-v0": "the app's Signing Secret",
  stripe: "the endpoint's signing secret (whsec_…)",
  "hubspot-v3": "the app's client secret",
  "generic-hmac-sha256": "the secret the provider signs webhooks with",
  xero: "the webhook key shown on the app's Webhooks page",
  linkedin: "the app's client secret",
  zoom: "the app's Secret Token (Features > Access)",
  dropbox: "the app secret",
  notion: "the verification_token Notion posts when the subscription is created (logged by the function)",
  "microsoft-graph": "the clientState you pass when creating the Graph subscription (a random string)",
  intercom: "the app's client secret (Intercom signs notifications with it)",
  zendesk: "the webhook's signing secret (Admin Center > Apps and integrations > Webhooks > the webhook > Reveal secret)",
  webflow: "the app's client secret (Webflow signs OAuth apps' webhooks with it)",
  calendly: "the signing_key you set when creating the webhook subscription",
  box: "the webhook primary signature key (Developer Console > the app > Webhooks > Manage signature keys)",
  linear: "the webhook's signing secret (shown on the webhook's page in Linear's API settings)",
  helpscout: "the webhook's secret key (chosen when the webhook is created, in the API call or in Manage > Apps > Webhooks)",
};

function resolveWebhook(spec: IntegrationSpec): IntegrationContext["webhook"] {
  const w = spec.webhooks;
  if (!w || w.scheme === "none") return null;
  return {
    scheme: w.scheme,
    signatureHeader: w.signatureHeader,
    timestampHeader: w.timestampHeader,
    toleranceSeconds: w.toleranceSeconds,
    signatureEncoding: w.signatureEncoding,
    docsUrl: w.docsUrl,
    secretHint: SECRET_HINTS[w.scheme],
  };
}

export function buildIntegrationContext(spec: IntegrationSpec, config: RepoConfig, version: string): IntegrationContext {
  const shared = buildSharedContext(config, version);
  const names = deriveNames(spec.id, spec.pascalName);
  const setup = `${config.routesBase}/${names.id}`;
  const context: IntegrationContext = {
    ...shared,
    spec,
    names,
    env: {
      ...shared.env,
      publicClientId: `VITE_${names.constant}_CLIENT_ID`,
      clientId: `${names.constant}_CLIENT_ID`,
      clientSecret: `${names.constant}_CLIENT_SECRET`,
      webhookSecret: `${names.constant}_WEBHOOK_SECRET`,
      webhookUrl: `${names.constant}_WEBHOOK_URL`,
      rateLimit: `${names.constant}_RATE_LIMIT`,
    },
    fn: { exchange: `${names.id}-exchange-tokens`, sync: `${names.id}-sync`, webhooks: `${names.id}-webhooks`, dir: config.paths.functions },
    routes: { ...shared.routes, setup, callback: `${setup}/callback` },
    tables: { records: `${names.snake}_records`, webhookEvents: `${names.snake}_webhook_events` },
    dbRoles: { functions: `nexus_integrate_fn_${names.snake}`, webhooks: `nexus_integrate_wh_${names.snake}` },
    webhook: resolveWebhook(spec),
    imports: {
      ...shared.imports,
      utils: `${config.imports.services}/${names.id}/utils`,
      functionErrors: `${config.imports.services}/nexus-integrate/functionErrors`,
      session: `${config.imports.services}/nexus-integrate/useSupabaseSession`,
      integration: `${config.imports.services}/nexus-integrate/integration`,
      ui: `${config.imports.components}/nexus-integrate/ui`,
      shared: `${config.imports.components}/nexus-integrate`,
    },
    urls: { app: config.appUrl, redirect: `${config.appUrl}${setup}/callback`, setup: `${config.appUrl}${setup}` },
    providerConsole: null,
    oneRedirectUri: spec.console?.redirectUris === "one",
  };
  if (spec.console) {
    const values: Record<string, string> = {
      redirectUri: mdCode(context.urls.redirect),
      scopes: spec.scopes.length > 0 ? spec.scopes.map((scope) => mdCode(scope)).join(", ") : "(none: access is chosen in the console)",
      webhookUrl: mdCode(`https://<project-ref>.supabase.co/functions/v1/${context.fn.webhooks}`),
    };
    context.providerConsole = {
      ...spec.console,
      steps: spec.console.steps.map((step, index) => ({ n: index + 1, text: step.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => values[name] ?? whole) })),
    };
  }
  for (const root of ["names", "env", "fn", "routes", "tables", "dbRoles", "imports"] as const) {
    assertSafeLeaves(root, context[root] as unknown as Record<string, string>);
  }
  return context;
}
