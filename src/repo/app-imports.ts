import { parse } from "@babel/parser";
import type { Node } from "@babel/types";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createPathsMatcher, parseTsconfig, type TsConfigJsonResolved } from "get-tsconfig";
import type { FieldIssue } from "../errors.js";
import { CONFIG_FILE, DEFAULT_IMPORTS, type RepoConfig } from "./config.js";
import { NO_ROUTER, TANSTACK_ROUTER } from "./tanstack.js";
import { appDependencies } from "./target.js";
import { tanstackRouterPlugin } from "./vite-config.js";

/**
 * Checks that the import specifiers the generated code will use resolve in the app, through its tsconfig
 * `paths` (following `extends`, and `references` where tsconfig.json only points at tsconfig.app.json, as
 * Vite's template splits it), with the exports the templates need where a module's source tells.
 */

const SOURCE_EXTENSIONS = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs"];

export interface AppTsconfig {
  /** The config file that holds the app's `paths` (tsconfig.json or a referenced tsconfig.app.json). */
  file: string | null;
  resolve: (specifier: string) => string[];
  /** The import specifier that reaches an absolute file or folder through the paths (extension dropped), or null. */
  specifierFor: (absolute: string) => string | null;
}

function parseQuietly(file: string): TsConfigJsonResolved | null {
  try {
    return parseTsconfig(file);
  } catch {
    return null;
  }
}

/** The tsconfig with the app's `paths`: tsconfig.json, else the first of its references that has them. */
export function loadAppTsconfig(root: string): AppTsconfig {
  const main = path.join(root, "tsconfig.json");
  const candidates: string[] = [];
  if (existsSync(main)) {
    candidates.push(main);
    const parsed = parseQuietly(main);
    for (const reference of parsed?.references ?? []) {
      let file = path.resolve(root, reference.path);
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "tsconfig.json");
      candidates.push(file);
    }
  }
  for (const file of candidates) {
    const config = parseQuietly(file);
    if (config?.compilerOptions?.paths && Object.keys(config.compilerOptions.paths).length > 0) {
      const matcher = createPathsMatcher({ path: file, config });
      if (matcher) return { file, resolve: matcher, specifierFor: specifierVia(file, config) };
    }
  }
  return { file: null, resolve: () => [], specifierFor: () => null };
}

/** Reverse of the paths matcher for `"@/*": ["./src/*"]`-style wildcards: a file or folder → `@/…`. */
function specifierVia(file: string, config: TsConfigJsonResolved): (absolute: string) => string | null {
  const base = path.resolve(path.dirname(file), config.compilerOptions?.baseUrl ?? ".");
  const rules = Object.entries(config.compilerOptions?.paths ?? {})
    .filter(([pattern]) => pattern.endsWith("/*"))
    .flatMap(([pattern, targets]) =>
      targets.filter((t) => t.endsWith("/*")).map((t) => ({ prefix: pattern.slice(0, -1), dir: path.resolve(base, t.slice(0, -2)) })),
    );
  return (absolute) => {
    const withoutExtension = absolute.replace(/(\/index)?\.(d\.ts|tsx?|jsx?|mjs)$/, "");
    for (const rule of rules) {
      const relative = path.relative(rule.dir, withoutExtension);
      if (relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative)) return rule.prefix + relative.split(path.sep).join("/");
    }
    return null;
  };
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/** The file a module specifier names, or null. Package specifiers resolve to their package.json. */
export function resolveModule(root: string, tsconfig: AppTsconfig, specifier: string): string | null {
  for (const candidate of tsconfig.resolve(specifier)) {
    const found = fileFor(candidate);
    if (found) return found;
  }
  if (isRelative(specifier) || specifier.startsWith("/")) return null;
  const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  const pkg = path.join(root, "node_modules", name, "package.json");
  return existsSync(pkg) ? pkg : null;
}

function fileFor(base: string): string | null {
  if (existsSync(base) && statSync(base).isFile()) return base;
  for (const extension of SOURCE_EXTENSIONS) if (existsSync(base + extension)) return base + extension;
  for (const extension of SOURCE_EXTENSIONS) {
    const index = path.join(base, `index${extension}`);
    if (existsSync(index)) return index;
  }
  return null;
}

/** Names a module's source exports, or null when it cannot tell (`export * from …`). */
export function exportedNames(source: string): Set<string> | null {
  if (/^\s*export\s+\*\s+from\s/m.test(source)) return null;
  const names = new Set<string>();
  for (const match of source.matchAll(/^\s*export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|enum)\s+([A-Za-z_$][\w$]*)/gm)) {
    names.add(match[1]!);
  }
  for (const match of source.matchAll(/^\s*export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name.replace(/^type\s+/, ""));
    }
  }
  return names;
}

/**
 * Why a module's `supabase` export may be null or undefined, or null when it cannot be: an env-optional client
 * (`url && key ? createClient(…) : null`, a `SupabaseClient | null` annotation, a `let` assigned later). The
 * generated pages call the client unguarded, so such a client is refused with this reason.
 */
export function nullableClient(source: string): string | null {
  let program: Node;
  try {
    program = parse(source, { sourceType: "module", plugins: ["typescript", "jsx"], errorRecovery: true }).program;
  } catch {
    return null;
  }
  if (program.type !== "Program") return null;
  for (const statement of program.body) {
    const declaration = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement.type === "VariableDeclaration" ? statement : null;
    if (!declaration || declaration.type !== "VariableDeclaration") continue;
    for (const declarator of declaration.declarations) {
      if (declarator.id.type !== "Identifier" || declarator.id.name !== "supabase") continue;
      const annotation = declarator.id.typeAnnotation;
      if (annotation?.type === "TSTypeAnnotation" && annotation.typeAnnotation.type === "TSUnionType") {
        if (annotation.typeAnnotation.types.some((t) => t.type === "TSNullKeyword" || t.type === "TSUndefinedKeyword")) {
          return "its type allows null (an env-optional client)";
        }
      }
      const init = declarator.init;
      if (!init) return declaration.kind === "let" ? "it is declared without a value and assigned later" : null;
      const empty = (node: Node) => node.type === "NullLiteral" || (node.type === "Identifier" && node.name === "undefined");
      if (init.type === "ConditionalExpression" && (empty(init.consequent) || empty(init.alternate))) {
        return "it is null when the environment lacks the URL or key (an env-optional client)";
      }
      if (init.type === "LogicalExpression" && init.operator === "&&") return "it is falsy when the environment lacks the URL or key";
    }
  }
  return null;
}

/** What each configured import must provide. */
const REQUIRED_EXPORTS: Partial<Record<keyof RepoConfig["imports"], string[]>> = {
  supabase: ["supabase"],
  card: ["Card", "CardHeader", "CardTitle", "CardDescription", "CardContent", "CardFooter"],
};

/** Problems with the configured imports, each naming the config key and the fix; empty when all resolve. */
export function checkAppImports(root: string, config: RepoConfig): FieldIssue[] {
  const tsconfig = loadAppTsconfig(root);
  const issues: FieldIssue[] = [];
  const key = (name: string) => `${CONFIG_FILE}: imports.${name}`;
  const fix = `run \`nexus-integrate init\` to detect it, or set it in ${CONFIG_FILE}`;
  for (const [name, exports] of Object.entries(REQUIRED_EXPORTS) as [keyof RepoConfig["imports"], string[]][]) {
    const specifier = config.imports[name];
    const file = resolveModule(root, tsconfig, specifier);
    // No Card at the default place: the pages bring their own (front-end.ts); a Card configured elsewhere must be there.
    if (name === "card" && !file && specifier === DEFAULT_IMPORTS.card) continue;
    if (!file || file.endsWith("package.json")) {
      issues.push({ path: key(name), message: `"${specifier}" does not resolve to a module in the app${tsconfig.file ? ` (through the paths of ${path.relative(root, tsconfig.file)})` : " (the app's tsconfig has no paths)"}; ${fix}` });
      continue;
    }
    const source = readFileSync(file, "utf8");
    const names = exportedNames(source);
    const missing = names === null ? [] : exports.filter((exported) => !names.has(exported));
    if (missing.length > 0) {
      issues.push({ path: key(name), message: `${path.relative(root, file)} does not export ${missing.join(", ")}; point imports.${name} at a module that does, or add the export${missing.length === 1 ? "" : "s"}` });
      continue;
    }
  }
  const router = config.imports.router;
  if (router === NO_ROUTER) {
    // No router: the pages use the tool's stand-in, and the user mounts them.
  } else if (!resolveModule(root, tsconfig, router) && !(router in appDependencies(root))) {
    issues.push({ path: key("router"), message: `the app does not depend on "${router}"; set imports.router to the router package it uses (react-router, react-router-dom, or @tanstack/react-router with its Vite plugin), or "none" to mount the pages yourself` });
  } else if (router === TANSTACK_ROUTER && !tanstackRouterPlugin(root)) {
    issues.push({
      path: key("router"),
      message: `${router} is used without its file-routes plugin (tanstackRouter() from @tanstack/router-plugin/vite in vite.config's plugins), and the tool writes file routes: add the plugin, or set imports.router to react-router-dom`,
    });
  }
  // Folders the generated code imports from must be the folders it writes to.
  for (const [name, folder] of [["services", "services"], ["components", "components"], ["pages", "pages"], ["hooks", "hooks"]] as const) {
    const specifier = config.imports[name];
    const expected = path.join(root, config.paths[folder]);
    const resolved = tsconfig.resolve(specifier).map((candidate) => path.resolve(candidate));
    if (!resolved.includes(expected)) {
      issues.push({
        path: key(name),
        message: `"${specifier}" does not resolve to ${config.paths[folder]}/ (paths.${folder})${tsconfig.file ? "" : ": the app's tsconfig has no paths alias"}; add an alias such as "@/*": ["./src/*"] to tsconfig (and vite.config), or set imports.${name}`,
      });
    }
  }
  return issues;
}
