import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as z from "zod";
import { UsageError } from "../errors.js";
import { endpointUrl, zodIssuesToFieldIssues } from "../spec/schema.js";

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
} as const;

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
});

export interface RepoConfig {
  templates: string | null;
  paths: Record<keyof typeof DEFAULT_PATHS, string>;
  imports: Record<keyof typeof DEFAULT_IMPORTS, string>;
  appUrl: string;
  routesBase: string;
}

export function resolveRepoConfig(raw: unknown, where = CONFIG_FILE): RepoConfig {
  const parsed = repoConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new UsageError(
      `${where} is not valid`,
      zodIssuesToFieldIssues(parsed.error).map((issue) => ({ ...issue, path: `${where}: ${issue.path}` })),
    );
  }
  return {
    templates: parsed.data.templates ?? null,
    paths: { ...DEFAULT_PATHS, ...stripUndefined(parsed.data.paths) },
    imports: { ...DEFAULT_IMPORTS, ...stripUndefined(withoutKey(parsed.data.imports, "useAuth")) },
    appUrl: parsed.data.appUrl.replace(/\/+$/, ""),
    routesBase: parsed.data.routesBase,
  };
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

export function readRepoConfig(targetRoot: string): RepoConfig {
  const file = path.join(targetRoot, CONFIG_FILE);
  if (!existsSync(file)) return resolveRepoConfig({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${CONFIG_FILE} does not parse`, [{ path: CONFIG_FILE, message: (error as Error).message }]);
  }
  return resolveRepoConfig(raw);
}
