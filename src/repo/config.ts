import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as z from "zod";
import { UsageError } from "../errors.js";
import { endpointUrl, zodIssuesToFieldIssues } from "../spec/schema.js";
import { detectFrontEnd } from "./front-end.js";
import { detectApp } from "./detect.js";
import { viteDevUrl } from "./vite-config.js";

/** Where generated files land in the target, and the import specifiers templates use. */
export const CONFIG_FILE = "nexus-integrate.config.json";

/** The playbook's paths; a template laid out under one of these lands under the configured folder. */
export const DEFAULT_PATHS = {
  components: "src/components/integrations",
  pages: "src/pages/integrations",
  services: "src/services/integrations",
  hooks: "src/hooks",
  functions: "supabase/functions",
  migrations: "supabase/migrations",
  docs: "docs/integrations",
  envExample: ".env.example",
  /** The file with the app's routes (`<nexus-integrate:routes>` and `<nexus-integrate:route-imports>` regions). */
  router: "src/App.tsx",
  /** TanStack Router's routes folder (its plugin's routesDirectory), where file routes go when imports.router is @tanstack/react-router. */
  routes: "src/routes",
  /** The integrations registry the app lists (`<nexus-integrate:registry>` regions). */
  registry: "src/integrations/registry.ts",
  /** Supabase config (function settings such as verify_jwt for webhooks). */
  supabaseConfig: "supabase/config.toml",
} as const;

export const DEFAULT_IMPORTS = {
  supabase: "@/lib/supabase",
  card: "@/components/ui/card",
  router: "react-router",
  services: "@/services/integrations",
  components: "@/components/integrations",
  pages: "@/pages/integrations",
  hooks: "@/hooks",
  /** The integrations registry module (paths.registry), which the generated index page lists. */
  registry: "@/integrations/registry",
} as const;

/** Supabase's common convention: a role in app_metadata, which only the service role can set. */
export const DEFAULT_ADMIN = { claim: "app_metadata.role", equals: "admin" } as const;

/** Where the admins' health page lives in the app (an integration may not be named `health`, spec/schema.ts). */
export function healthPagePath(config: Pick<RepoConfig, "routesBase">): string {
  return `${config.routesBase}/health`;
}

/** How the generated pages are styled: the app's shadcn/ui parts, plain Tailwind utilities, or the tool's stylesheet. */
export const UI_STYLES = ["shadcn", "tailwind", "css"] as const;
export type UiStyle = (typeof UI_STYLES)[number];

const routePath = z.string().regex(/^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/, 'must be an app path such as "/login"');

const relativePath = z
  .string()
  .min(1, "must not be empty")
  .regex(/^[A-Za-z0-9_.@-]+(?:\/[A-Za-z0-9_.@-]+)*$/, "must be a relative path of plain folder names separated by /")
  .refine((value) => !value.split("/").some((part) => part === ".." || part === "."), 'must not contain "." or ".." segments');

const importSpecifier = z
  .string()
  .regex(/^[@A-Za-z0-9_~.][A-Za-z0-9_./@~-]*$/, "must be a module specifier such as @/lib/supabase");

const pathsShape = Object.fromEntries(Object.keys(DEFAULT_PATHS).map((key) => [key, relativePath.optional()])) as Record<
  keyof typeof DEFAULT_PATHS,
  z.ZodOptional<typeof relativePath>
>;
const importsShape = Object.fromEntries(Object.keys(DEFAULT_IMPORTS).map((key) => [key, importSpecifier.optional()])) as Record<
  keyof typeof DEFAULT_IMPORTS,
  z.ZodOptional<typeof importSpecifier>
>;

export const repoConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  paths: z.strictObject(pathsShape).default({}),
  imports: z
    .strictObject({
      ...importsShape,
      /** No longer used (the generated pages read the session from the Supabase client); accepted so older configs load. */
      useAuth: importSpecifier.optional(),
    })
    .default({}),
  /** The app's public URL, used for the redirect URI the docs tell you to register. */
  appUrl: endpointUrl.default("http://localhost:5173"),
  /** Where the setup and callback routes live in the app. */
  /** A team's template folder (relative to the target), laid over the built-in sets file by file. */
  templates: relativePath.optional(),
  routesBase: z
    .string()
    .regex(/^(?:\/[a-z0-9-]+)+$/, 'must be a path such as "/integrations"')
    .default("/integrations"),
  /** The app's name as its users see it ("Acme CRM will ask HubSpot for access…"); init asks for it. */
  appName: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(60, "must be at most 60 characters")
    .regex(/^[^\u0000-\u001f<>{}`$\\]+$/, "must be plain text (no control characters, <, >, {, }, `, $ or \\)")
    .optional(),
  /** Where the callback page sends the user after connecting (default: routesBase, the integrations page). */
  afterConnectPath: routePath.optional(),
  /** The app's sign-in page, linked when a signed-out user opens a setup page. */
  signInPath: routePath.optional(),
  /** How the app marks its admins (who may open the integration health page): a JWT claim and its value. */
  admin: z
    .strictObject({
      /** A claim path in the user's JWT, such as app_metadata.role (set through the service role) or user_role (an auth hook's). */
      claim: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,2}$/, 'must be a claim path such as "app_metadata.role"')
        .refine(
          (value) => value.split(".")[0] !== "user_metadata",
          "must not be in user_metadata: users edit their own user_metadata, so anyone could make themselves an admin (use app_metadata, which only the service role sets)",
        )
        .default(DEFAULT_ADMIN.claim),
      /** The value the claim has for admins (a boolean claim: "true"). */
      equals: z
        .string()
        .min(1, "must not be empty")
        .max(100, "must be at most 100 characters")
        .regex(/^[\x20-\x7e]+$/, "must be printable ASCII")
        .default(DEFAULT_ADMIN.equals),
    })
    .optional(),
  ui: z
    .strictObject({
      /** shadcn: the app's components/ui parts; tailwind: utility classes; css: the tool's own stylesheet. */
      style: z.enum(UI_STYLES).optional(),
      /** Where the app's shadcn parts live (components.json aliases.ui). */
      alias: importSpecifier.optional(),
    })
    .default({}),
});

export interface RepoConfig {
  templates: string | null;
  paths: Record<keyof typeof DEFAULT_PATHS, string>;
  imports: Record<keyof typeof DEFAULT_IMPORTS, string>;
  appUrl: string;
  /** Where appUrl came from: the config file, the app's vite.config (`server.port`), or Vite's default port. */
  appUrlFrom: string;
  routesBase: string;
  appName: string | null;
  afterConnectPath: string | null;
  signInPath: string | null;
  ui: { style: UiStyle | null; alias: string | null };
  /** The JWT claim that marks an admin (the health page); `source`: the config's or the default. */
  admin: { claim: string; equals: string; source: "config" | "default" };
  /** Without a config file: the settings detected in memory, as init would (`imports.supabase = …`); else absent. */
  detected?: string[];
  /** What the generated front end uses of the app: filled from the app by readRepoConfig (repo/front-end.ts). */
  frontEnd: FrontEnd;
}

export type UiPart = "button" | "card" | "alert" | "badge" | "table" | "skeleton" | "progress";

/** The app's front end as detected: what the generated pages import and how they are styled. */
export interface FrontEnd {
  appName: string;
  style: UiStyle;
  /** Tailwind's major version, or null without Tailwind. */
  tailwind: number | null;
  /** shadcn's ui alias (`@/components/ui`). */
  uiAlias: string;
  /** The app's parts the pages use, each present with the exports they need. */
  parts: Record<UiPart, boolean>;
  signInPath: string;
  afterConnectPath: string;
  /** The app has no page at afterConnectPath: the tool adds its own integrations page there. */
  indexPage: boolean;
  /** The app depends on Recharts (the health page's charts): the tool adds the health page at `${routesBase}/health`. */
  healthPage: boolean;
  /** How the app adds Recharts (its package manager's command), for the note when the health page cannot be written. */
  rechartsInstall: string;
  /** The app's client is typed with its generated Database types (`createClient<Database>`): their file, or null. */
  typedClient: string | null;
  /** Where the typed client's Database type comes from (its `import type { Database } from "…"`), when a file of the app. */
  typedClientTypes: string | null;
  /** The app's client module when its `supabase` may be null (created only when the env has the URL and key), else null. */
  nullableClient: string | null;
  /** The app's own Deno config at its root (`deno.json`), which the tool leaves alone; null without one. */
  denoConfig: { file: string; setsNodeModulesDir: boolean } | null;
}

/** What a config resolved without an app sees (templates, goldens): the tool's stylesheet, no app parts. */
export function defaultFrontEnd(config: Pick<RepoConfig, "appName" | "ui" | "signInPath" | "afterConnectPath" | "routesBase">): FrontEnd {
  return {
    appName: config.appName ?? "the app",
    style: config.ui.style ?? "css",
    tailwind: null,
    uiAlias: config.ui.alias ?? "@/components/ui",
    parts: { button: false, card: true, alert: false, badge: false, table: false, skeleton: false, progress: false },
    signInPath: config.signInPath ?? "/",
    afterConnectPath: config.afterConnectPath ?? config.routesBase,
    indexPage: false,
    healthPage: false,
    rechartsInstall: "npm install recharts@3",
    typedClient: null,
    typedClientTypes: null,
    nullableClient: null,
    denoConfig: null,
  };
}

export function resolveRepoConfig(raw: unknown, where = CONFIG_FILE): RepoConfig {
  const parsed = repoConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new UsageError(
      `${where} is not valid`,
      zodIssuesToFieldIssues(parsed.error).map((issue) => ({ ...issue, path: `${where}: ${issue.path}` })),
    );
  }
  const resolved = {
    templates: parsed.data.templates ?? null,
    paths: { ...DEFAULT_PATHS, ...stripUndefined(parsed.data.paths) },
    imports: { ...DEFAULT_IMPORTS, ...stripUndefined(withoutKey(parsed.data.imports, "useAuth")) },
    appUrl: parsed.data.appUrl.replace(/\/+$/, ""),
    appUrlFrom:
      typeof raw === "object" && raw !== null && (raw as { appUrl?: unknown }).appUrl !== undefined
        ? where
        : "the default (Vite's port 5173)",
    routesBase: parsed.data.routesBase,
    appName: parsed.data.appName ?? null,
    afterConnectPath: parsed.data.afterConnectPath ?? null,
    signInPath: parsed.data.signInPath ?? null,
    ui: { style: parsed.data.ui.style ?? null, alias: parsed.data.ui.alias ?? null },
    admin: parsed.data.admin
      ? { claim: parsed.data.admin.claim, equals: parsed.data.admin.equals, source: "config" as const }
      : { ...DEFAULT_ADMIN, source: "default" as const },
  };
  return { ...resolved, frontEnd: defaultFrontEnd(resolved) };
}

function withoutKey<T extends Record<string, unknown>, K extends string>(value: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

function stripUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** The app's config (defaults when it has none) with its front end detected (repo/front-end.ts). */
export function readRepoConfig(targetRoot: string): RepoConfig {
  const config = withAppUrl(targetRoot, readConfigFile(targetRoot));
  return { ...config, frontEnd: detectFrontEnd(targetRoot, config) };
}

/** Where the config sets no appUrl: the dev server's URL from the app's vite.config, when it names a port. */
export function withAppUrl(targetRoot: string, config: RepoConfig): RepoConfig {
  if (config.appUrlFrom === CONFIG_FILE) return config;
  const vite = viteDevUrl(targetRoot);
  return vite ? { ...config, appUrl: vite.url, appUrlFrom: `${vite.file} (server.port)` } : config;
}

/** Without a config: what the person at the terminal chose where detection found several candidates (this run only). */
const detectionChoices = new Map<string, Record<string, string>>();

/** Settings detected with several candidates in an app without a config: what a terminal run asks about. */
export function ambiguousDetection(root: string): { key: string; candidates: string[]; how: string }[] {
  if (existsSync(path.join(root, CONFIG_FILE))) return [];
  try {
    return detectApp(root).detected.filter((item) => item.candidates.length > 1 && !(item.key in (detectionChoices.get(root) ?? {})));
  } catch {
    return [];
  }
}

/** Records a choice among detected candidates, for the rest of this run (init keeps choices in a config). */
export function chooseDetected(root: string, key: string, value: string): void {
  detectionChoices.set(root, { ...detectionChoices.get(root), [key]: value });
}

/**
 * No config yet (most real repos start without one): what `init` would detect, in memory, the best candidate where
 * several are found. What cannot be detected keeps its default, and the import check names init as the fix.
 */
function detectedConfig(root: string): RepoConfig {
  let detection: ReturnType<typeof detectApp>;
  try {
    detection = detectApp(root);
  } catch {
    return { ...resolveRepoConfig({}), detected: [] };
  }
  const raw: Record<string, Record<string, string>> = { paths: {}, imports: {} };
  const detected: string[] = [];
  const chosen = detectionChoices.get(root) ?? {};
  for (const item of detection.detected) {
    const value = chosen[item.key] ?? item.candidates[0];
    if (value === undefined) continue;
    const [group, name] = item.key.split(".") as [string, string];
    raw[group]![name] = value;
    const others = item.candidates.filter((candidate) => candidate !== value);
    detected.push(`${item.key} = ${value}${item.key in chosen ? " (you chose)" : ""}${others.length > 0 ? ` (also found: ${others.join(", ")})` : ""}`);
  }
  return { ...resolveRepoConfig(raw), detected };
}

/** What a run without a config says it used (null when the app has a config). */
export function detectedConfigNote(config: RepoConfig): string | null {
  if (config.detected === undefined) return null;
  const used = config.detected.length > 0 ? config.detected.join("; ") : "nothing (the defaults)";
  return `No ${CONFIG_FILE}: used what \`nexus-integrate init\` detects: ${used}. Run \`nexus-integrate init\` to keep these settings in a config (and to choose where several were found).`;
}

/** The config file alone, resolved with defaults (or, without one, what init would detect). */
export function readConfigFile(targetRoot: string): RepoConfig {
  const file = path.join(targetRoot, CONFIG_FILE);
  if (!existsSync(file)) return detectedConfig(targetRoot);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${CONFIG_FILE} does not parse`, [{ path: CONFIG_FILE, message: (error as Error).message }]);
  }
  return resolveRepoConfig(raw);
}
