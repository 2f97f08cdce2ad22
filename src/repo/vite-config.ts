import { parse } from "@babel/parser";
import type { Expression, Node, ObjectExpression } from "@babel/types";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The config files Vite looks for, in its order. */
const VITE_CONFIGS = ["vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.cjs", "vite.config.mts", "vite.config.cts"];

/**
 * The URL the app's dev server serves on, as its vite.config sets it (`server.port`, `server.https`): a Lovable app
 * serves on 8080. Only literal values are read (`port: 8080`, `https: {…}` or `true`); a computed port, or no config,
 * gives null and the caller keeps its default. The object may be `defineConfig({...})`, `defineConfig(() => ({...}))`
 * (with a block body, its returned object) or a plain `export default {...}`.
 */
export function viteDevUrl(root: string): { url: string; file: string } | null {
  const read = readViteConfig(root);
  if (!read) return null;
  const { config, file } = read;
  const server = config ? property(config, "server") : null;
  if (!server || server.type !== "ObjectExpression") return null;
  const port = property(server, "port");
  if (!port || port.type !== "NumericLiteral" || !Number.isInteger(port.value) || port.value < 1 || port.value > 65535) return null;
  const https = property(server, "https");
  const secure = https !== null && !(https.type === "BooleanLiteral" && !https.value);
  return { url: `${secure ? "https" : "http"}://localhost:${port.value}`, file };
}

/** The app's vite.config and the object it exports (null without a config, or when it does not parse). */
function readViteConfig(root: string): { file: string; config: ObjectExpression | null } | null {
  const file = VITE_CONFIGS.find((name) => existsSync(path.join(root, name)));
  if (!file) return null;
  let program: Node;
  try {
    program = parse(readFileSync(path.join(root, file), "utf8"), {
      sourceType: "module",
      plugins: ["typescript", "jsx"],
      errorRecovery: true,
    }).program;
  } catch {
    return null;
  }
  if (program.type !== "Program") return null;
  const exported = program.body.find((node) => node.type === "ExportDefaultDeclaration");
  return { file, config: exported?.type === "ExportDefaultDeclaration" ? configObject(exported.declaration as Node) : null };
}

/** The names TanStack Router's Vite plugin is imported as (`@tanstack/router-plugin/vite`; the older name too). */
const TANSTACK_PLUGINS = new Set(["tanstackRouter", "TanStackRouterVite"]);

/**
 * TanStack Router's file-routes plugin in the app's vite.config: its literal options (`routesDirectory`,
 * `generatedRouteTree`, `target`, `autoCodeSplitting`, quote style…), the ones the route-tree generator needs to
 * write the tree the plugin would. Null when the config has no such plugin call.
 */
export function tanstackRouterPlugin(root: string): { file: string; options: Record<string, string | number | boolean> } | null {
  const read = readViteConfig(root);
  const plugins = read?.config ? property(read.config, "plugins") : null;
  if (!read || !plugins || plugins.type !== "ArrayExpression") return null;
  for (const element of plugins.elements) {
    if (!element || element.type !== "CallExpression") continue;
    const callee = element.callee;
    const name = callee.type === "Identifier" ? callee.name : callee.type === "MemberExpression" && callee.property.type === "Identifier" ? callee.property.name : null;
    if (!name || !TANSTACK_PLUGINS.has(name)) continue;
    const options: Record<string, string | number | boolean> = {};
    const [first] = element.arguments;
    if (first?.type === "ObjectExpression") {
      for (const entry of first.properties) {
        if (entry.type !== "ObjectProperty" || entry.computed) continue;
        const key = entry.key.type === "Identifier" ? entry.key.name : entry.key.type === "StringLiteral" ? entry.key.value : null;
        const value = entry.value;
        if (!key) continue;
        if (value.type === "StringLiteral" || value.type === "NumericLiteral" || value.type === "BooleanLiteral") options[key] = value.value;
      }
    }
    return { file: read.file, options };
  }
  return null;
}

function configObject(node: Node): ObjectExpression | null {
  let current: Node = node;
  for (let depth = 0; depth < 4; depth++) {
    if (current.type === "TSAsExpression" || current.type === "TSSatisfiesExpression" || current.type === "ParenthesizedExpression") {
      current = current.expression;
    } else if (current.type === "CallExpression") {
      const [first] = current.arguments;
      if (!first) return null;
      current = first;
    } else if (current.type === "ArrowFunctionExpression" || current.type === "FunctionExpression") {
      if (current.body.type !== "BlockStatement") {
        current = current.body;
        continue;
      }
      const returned = current.body.body.find((statement) => statement.type === "ReturnStatement");
      if (!returned || returned.type !== "ReturnStatement" || !returned.argument) return null;
      current = returned.argument;
    } else {
      break;
    }
  }
  return current.type === "ObjectExpression" ? current : null;
}

function property(object: ObjectExpression, name: string): Expression | null {
  for (const entry of object.properties) {
    if (entry.type !== "ObjectProperty" || entry.computed) continue;
    const key = entry.key.type === "Identifier" ? entry.key.name : entry.key.type === "StringLiteral" ? entry.key.value : null;
    if (key === name) return entry.value as Expression;
  }
  return null;
}
