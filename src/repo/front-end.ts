import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { exportedNames, loadAppTsconfig, nullableClient, resolveModule, type AppTsconfig } from "./app-imports.js";
import type { FrontEnd, RepoConfig, UiPart, UiStyle } from "./config.js";
import { fileRoutes, usesFileRoutes } from "./tanstack.js";
import { appDependencies } from "./target.js";

/**
 * What the generated front end uses of the app, read the way shadcn's CLI reads a project: components.json
 * (style, Tailwind CSS file, aliases), which `ui/` parts exist with the exports the pages need, Tailwind's major
 * version, the app's name and its sign-in route. A config setting always wins over what is detected.
 */

/** The exports each part must have for the generated pages to use it. */
export const PART_EXPORTS: Record<UiPart, string[]> = {
  button: ["Button", "buttonVariants"],
  card: ["Card", "CardHeader", "CardDescription", "CardContent", "CardFooter"],
  alert: ["Alert", "AlertTitle", "AlertDescription"],
  badge: ["Badge"],
  table: ["Table", "TableBody", "TableCell", "TableHead", "TableHeader", "TableRow"],
  skeleton: ["Skeleton"],
  progress: ["Progress"],
};

/** The parts the generated pages import when the app has them (the others are only reported). */
export const USED_PARTS: UiPart[] = ["button", "card", "alert", "badge"];

export interface ShadcnConfig {
  file: string;
  style: string | null;
  tailwindCss: string | null;
  uiAlias: string | null;
}

export function readComponentsJson(root: string): ShadcnConfig | null {
  const file = path.join(root, "components.json");
  if (!existsSync(file)) return null;
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as { style?: unknown; tailwind?: { css?: unknown }; aliases?: { ui?: unknown; components?: unknown } };
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
    const components = text(raw.aliases?.components);
    return {
      file,
      style: text(raw.style),
      tailwindCss: text(raw.tailwind?.css),
      uiAlias: text(raw.aliases?.ui) ?? (components ? `${components}/ui` : null),
    };
  } catch {
    return null;
  }
}

/** Tailwind's major version: the installed package's, else the one package.json asks for; null without Tailwind. */
export function tailwindMajor(root: string): number | null {
  const installed = path.join(root, "node_modules", "tailwindcss", "package.json");
  if (existsSync(installed)) {
    try {
      const version = (JSON.parse(readFileSync(installed, "utf8")) as { version?: string }).version;
      const major = Number(/^(\d+)/.exec(version ?? "")?.[1]);
      if (Number.isInteger(major)) return major;
    } catch {
      // fall through to package.json
    }
  }
  let deps: Record<string, string>;
  try {
    deps = appDependencies(root);
  } catch {
    return null;
  }
  if ("@tailwindcss/vite" in deps || "@tailwindcss/postcss" in deps) return 4;
  const range = deps.tailwindcss;
  if (range === undefined) return null;
  const major = Number(/(\d+)/.exec(range)?.[1]);
  return Number.isInteger(major) ? major : null;
}

function partPresent(root: string, tsconfig: AppTsconfig, specifier: string, part: UiPart): boolean {
  const file = resolveModule(root, tsconfig, specifier);
  if (!file || file.endsWith("package.json")) return false;
  const names = exportedNames(readFileSync(file, "utf8"));
  return names === null || PART_EXPORTS[part].every((name) => names.has(name));
}

/** The name users see: the config's, else index.html's <title> (unless Vite's placeholder), else package.json's name. */
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** A name the config schema accepts (`appName`), or null. */
function usableName(name: string): string | null {
  const trimmed = name.trim();
  return /^[^\u0000-\u001f<>{}`$\\]{1,60}$/.test(trimmed) ? trimmed : null;
}

export function detectAppName(root: string): string | null {
  const html = path.join(root, "index.html");
  if (existsSync(html)) {
    const raw = /<title>([^<]*)<\/title>/i.exec(readFileSync(html, "utf8"))?.[1] ?? "";
    const title = raw.replace(/&(#\d+|[a-z]+);/gi, (whole, code: string) =>
      code.startsWith("#") ? String.fromCharCode(Number(code.slice(1))) : (ENTITIES[code.toLowerCase()] ?? whole),
    );
    const usable = usableName(title);
    if (usable && !/^vite\b/i.test(usable)) return usable;
  }
  try {
    const name = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { name?: string }).name;
    if (name && !/^vite-project$/.test(name)) {
      const words = name.replace(/^@[^/]+\//, "").split(/[-_.\s]+/).filter(Boolean);
      if (words.length > 0) return usableName(words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join(" "));
    }
  } catch {
    // no name
  }
  return null;
}

/** Route paths an app file declares (`path="/x"` in JSX, `path: "/x"` in route objects). */
export function declaredRoutePaths(source: string): string[] {
  // A relative path (a child of the root layout, the usual case) is read as under "/".
  return [...source.matchAll(/\bpath\s*(?:=|:)\s*\{?\s*["'`]([^"'`]+)["'`]/g)].map((match) =>
    match[1]!.startsWith("/") || match[1] === "*" ? match[1]! : `/${match[1]!}`,
  );
}

/** The component a route at `routePath` renders, or null: `element={<X …` / `element: <X …`. */
function routeElement(source: string, routePath: string): string | null {
  const escaped = routePath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const jsx = new RegExp(`path\\s*=\\s*\\{?\\s*["'\`]/?${escaped.replace(/^\\?\//, "")}["'\`][^>]*?element\\s*=\\s*\\{\\s*<([A-Za-z_$][\\w$.]*)`).exec(source);
  const object = new RegExp(`path\\s*:\\s*["'\`]/?${escaped.replace(/^\\?\//, "")}["'\`][^}]*?element\\s*:\\s*<([A-Za-z_$][\\w$.]*)`).exec(source);
  return jsx?.[1] ?? object?.[1] ?? null;
}

/** Recharts, the chart library shadcn's chart component is built on, in the app's dependencies. */
/** The command that adds Recharts with the app's package manager (its lockfile says which; npm without one). */
export function rechartsInstall(root: string): string {
  if (existsSync(path.join(root, "bun.lock")) || existsSync(path.join(root, "bun.lockb"))) return "bun add recharts@3";
  if (existsSync(path.join(root, "pnpm-lock.yaml"))) return "pnpm add recharts@3";
  if (existsSync(path.join(root, "yarn.lock"))) return "yarn add recharts@3";
  return "npm install recharts@3";
}

export function hasRecharts(root: string): boolean {
  try {
    return "recharts" in appDependencies(root);
  } catch {
    return false;
  }
}

/** The component the tool's own integrations page is (never counted as the app's). */
export const INDEX_PAGE_COMPONENT = "IntegrationsIndexPage";

export function detectFrontEnd(root: string, config: RepoConfig): FrontEnd {
  const tsconfig = loadAppTsconfig(root);
  const shadcn = readComponentsJson(root);
  const tailwind = tailwindMajor(root);
  const uiAlias = config.ui.alias ?? shadcn?.uiAlias ?? "@/components/ui";
  const style: UiStyle = config.ui.style ?? (shadcn && tailwind !== null ? "shadcn" : tailwind !== null ? "tailwind" : "css");
  const parts = Object.fromEntries(
    (Object.keys(PART_EXPORTS) as UiPart[]).map((part) => [
      part,
      part === "card" ? partPresent(root, tsconfig, config.imports.card, part) : style === "shadcn" && partPresent(root, tsconfig, `${uiAlias}/${part}`, part),
    ]),
  ) as Record<UiPart, boolean>;
  const afterConnectPath = config.afterConnectPath ?? config.routesBase;
  let paths: string[];
  let element: string | null;
  if (usesFileRoutes(config)) {
    // File routes: the app's pages are its createFileRoute("…") declarations.
    const routes = fileRoutes(root, config.paths.routes);
    paths = routes.map((route) => route.path);
    element = routes.find((route) => route.path === afterConnectPath)?.component ?? null;
  } else {
    const routerFile = path.join(root, config.paths.router);
    const routerSource = existsSync(routerFile) ? readFileSync(routerFile, "utf8") : "";
    paths = declaredRoutePaths(routerSource);
    element = routeElement(routerSource, afterConnectPath);
  }
  const signIn = paths.find((p) => /(^|\/)(log-?in|sign-?in|auth)$/i.test(p));
  // The tool's integrations page lists the registry: only where the registry is the tool's (created when
  // missing) or exports `integrations` as the tool's does.
  const registryFile = path.join(root, config.paths.registry);
  const registryNames = existsSync(registryFile) ? exportedNames(readFileSync(registryFile, "utf8")) : null;
  const registryUsable = !existsSync(registryFile) || registryNames === null || registryNames.has("integrations");
  return {
    appName: config.appName ?? detectAppName(root) ?? "the app",
    style,
    tailwind,
    uiAlias,
    parts,
    signInPath: config.signInPath ?? signIn ?? "/",
    afterConnectPath,
    indexPage: registryUsable && (!paths.includes(afterConnectPath) || element === INDEX_PAGE_COMPONENT),
    healthPage: registryUsable && hasRecharts(root),
    rechartsInstall: rechartsInstall(root),
    ...clientTraits(root, tsconfig, config.imports.supabase),
    denoConfig: existsSync(path.join(root, "deno.json"))
      ? { file: "deno.json", setsNodeModulesDir: /"nodeModulesDir"\s*:/.test(readFileSync(path.join(root, "deno.json"), "utf8")) }
      : null,
  };
}

/**
 * What the app's client module says of its client, read once: typed with the app's Database types (Lovable's and
 * `supabase gen types`' style; `typedClient`) and the file those types come from (`typedClientTypes`), or possibly
 * null (an env-optional client, which the generated client.ts guards; `nullableClient`).
 */
function clientTraits(root: string, tsconfig: AppTsconfig, specifier: string): Pick<FrontEnd, "typedClient" | "typedClientTypes" | "nullableClient"> {
  const file = resolveModule(root, tsconfig, specifier);
  if (!file || !existsSync(file) || file.endsWith("package.json")) return { typedClient: null, typedClientTypes: null, nullableClient: null };
  const source = readFileSync(file, "utf8");
  const relative = path.relative(root, file).split(path.sep).join("/");
  const typed = /createClient\s*<\s*[A-Za-z_$]/.test(source);
  return {
    typedClient: typed ? relative : null,
    typedClientTypes: typed ? databaseTypesFile(root, tsconfig, file, source) : null,
    nullableClient: nullableClient(source) ? relative : null,
  };
}

/** The file a typed client imports its Database type from (`import type { Database } from "./types"`), or null. */
function databaseTypesFile(root: string, tsconfig: AppTsconfig, client: string, source: string): string | null {
  const imported = /import\s+(?:type\s+)?\{[^}]*\bDatabase\b[^}]*\}\s+from\s+["']([^"']+)["']/.exec(source)?.[1];
  if (!imported) return null;
  const base = imported.startsWith(".") ? path.resolve(path.dirname(client), imported) : null;
  const file = base ? [".ts", ".d.ts", "/index.ts", ""].map((ext) => `${base}${ext}`).find((candidate) => existsSync(candidate) && !candidate.endsWith("/")) : resolveModule(root, tsconfig, imported);
  return file && existsSync(file) ? path.relative(root, file).split(path.sep).join("/") : null;
}

/** The `npx shadcn@latest add …` command for the parts a shadcn app lacks (null when it has them all, or is not shadcn). */
export function missingPartsCommand(frontEnd: FrontEnd): string | null {
  if (frontEnd.style !== "shadcn") return null;
  const missing = USED_PARTS.filter((part) => !frontEnd.parts[part]);
  return missing.length === 0 ? null : `npx shadcn@latest add ${missing.join(" ")}`;
}
