import { readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import { exportedNames, loadAppTsconfig, nullableClient } from "./app-imports.js";
import { DEFAULT_PATHS } from "./config.js";
import { NO_ROUTER, TANSTACK_ROUTER } from "./tanstack.js";
import { appDependencies } from "./target.js";
import { tanstackRouterPlugin } from "./vite-config.js";

/** One detected setting: the candidates found (best first) and how; `why`, when none, what stands in the way. */
export interface Detected {
  key: string;
  candidates: string[];
  how: string;
  why?: string;
}

const CARD_EXPORTS = ["Card", "CardHeader", "CardTitle", "CardDescription", "CardContent", "CardFooter"];

function sourceFiles(root: string): string[] {
  return (globSync(["src/**/*.{ts,tsx}"], { cwd: root, ignore: ["**/node_modules/**", "**/*.d.ts", "**/*.test.*"] })).sort();
}

/** Candidates first by a preferred path, then by path. */
function ranked(files: string[], preferred: string[]): string[] {
  const rank = (file: string) => {
    const index = preferred.indexOf(file);
    return index === -1 ? preferred.length : index;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * What `init` detects in the app (and every command, in memory, where the app has no config yet): the Supabase
 * client module, a Card, the router package and file, the folder aliases; each with its candidates, best first.
 */
export function detectApp(root: string): { detected: Detected[]; notes: string[] } {
  const tsconfig = loadAppTsconfig(root);
  const files = sourceFiles(root);
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");
  const toSpecifier = (file: string) => tsconfig.specifierFor(path.join(root, file));
  const notes: string[] = [];
  if (!tsconfig.file) notes.push('the app\'s tsconfig has no "paths" alias: add "@/*": ["./src/*"] (and the same alias in vite.config) so generated files can import app modules');

  const clients = ranked(
    files.filter((file) => {
      const source = read(file);
      return /createClient\s*[<(]/.test(source) && exportedNames(source)?.has("supabase") === true;
    }),
    ["src/integrations/supabase/client.ts", "src/lib/supabase.ts", "src/lib/supabaseClient.ts", "src/supabase.ts"],
  );
  const cards = ranked(
    files.filter((file) => /(^|\/)card\.tsx$/i.test(file) && CARD_EXPORTS.every((name) => exportedNames(read(file))?.has(name))),
    ["src/components/ui/card.tsx"],
  );
  const hooks = files.filter((file) => exportedNames(read(file))?.has("useAuth"));
  if (hooks.length > 0) {
    notes.push(`auth hook found in ${hooks.join(", ")}: not needed, the generated pages read the session from the Supabase client`);
  }
  const routers = ranked(files.filter((file) => /<Routes\b|createBrowserRouter\s*\(|useRoutes\s*\(/.test(read(file))), ["src/App.tsx", "src/main.tsx"]);
  const deps = appDependencies(root);
  // TanStack Router with its Vite plugin routes by files: the pages become route files in its routes folder.
  const tanstackPlugin = TANSTACK_ROUTER in deps ? tanstackRouterPlugin(root) : null;
  const routerPackages = [...(tanstackPlugin ? [TANSTACK_ROUTER] : []), ...["react-router-dom", "react-router"].filter((name) => name in deps)];
  const routesDirectory = typeof tanstackPlugin?.options.routesDirectory === "string" ? tanstackPlugin.options.routesDirectory.replace(/^\.\//, "").replace(/\/+$/, "") : DEFAULT_PATHS.routes;
  const tanstackWithoutPlugin =
    "the app uses TanStack Router without its file-routes plugin (tanstackRouter() from @tanstack/router-plugin/vite in vite.config's plugins), and the tool writes file routes: add the plugin (https://tanstack.com/router/latest/docs/framework/react/installation/with-vite), or install react-router-dom, then run init again";
  // No router at all: the pages come as components to mount (imports.router = none), and the note gives the other way.
  if (routerPackages.length === 0 && !(TANSTACK_ROUTER in deps)) {
    routerPackages.push(NO_ROUTER);
    notes.push(
      "no router in package.json: the pages come as components for you to mount (imports.router = none; the next steps say where); to have them routed instead, install one (npm install react-router-dom, or TanStack Router with its Vite plugin) and run init again",
    );
  }

  const alias = (relative: string) => tsconfig.specifierFor(path.join(root, relative));
  // Found, but not importable: the app's tsconfig has no alias that reaches the file.
  const noAlias = (what: string) =>
    `${what}, but the app's tsconfig has no "paths" alias to import it by: add "@/*": ["./src/*"] under compilerOptions.paths (and the same alias in vite.config's resolve.alias), then run init again`;
  // An env-optional client (null without its env) is taken: the generated client.ts guards it.
  for (const file of clients) {
    const why = nullableClient(read(file));
    if (why) notes.push(`${file} exports a supabase that may be null: ${why}. The generated code reaches it through client.ts, which stands in a client whose every call fails with "Supabase is not configured" (and says so in the console), so the app still builds and the integration pages do not crash`);
  }
  const clientSpecifiers = clients.map(toSpecifier).filter((s): s is string => s !== null);
  return {
    notes,
    detected: [
      {
        key: "imports.supabase",
        candidates: clientSpecifiers,
        how: "a module under src/ that calls createClient and exports `supabase`",
        ...(clients.length > 0 && clientSpecifiers.length === 0 ? { why: noAlias(`${clients[0]} creates the Supabase client`) } : {}),
      },
      { key: "imports.card", candidates: cards.map(toSpecifier).filter((s): s is string => s !== null), how: `a card.tsx exporting ${CARD_EXPORTS.join(", ")}` },
      { key: "imports.router", candidates: routerPackages, how: "the router package in package.json", ...(routerPackages.length === 0 ? { why: tanstackWithoutPlugin } : {}) },
      // Where the routes go: TanStack's routes folder, the file with the <Routes>, or nowhere (no router: mounted by the app).
      ...(routerPackages[0] === TANSTACK_ROUTER
        ? [{ key: "paths.routes", candidates: [routesDirectory], how: `TanStack Router's routes folder (${tanstackPlugin!.file}'s routesDirectory, or its default)` }]
        : routerPackages[0] === NO_ROUTER
          ? []
          : [{ key: "paths.router", candidates: routers, how: "the file with the app's <Routes>" }]),
      ...(["services", "components", "pages", "hooks"] as const).map((name) => ({
        key: `imports.${name}`,
        candidates: [alias(DEFAULT_PATHS[name])].filter((s): s is string => s !== null),
        how: `the alias of ${DEFAULT_PATHS[name]}/`,
        ...(alias(DEFAULT_PATHS[name]) === null ? { why: noAlias(`the generated code imports ${DEFAULT_PATHS[name]}/`) } : {}),
      })),
    ],
  };
}

