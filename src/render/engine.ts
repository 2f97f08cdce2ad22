import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type HandlebarsNamespace from "handlebars";
import HandlebarsRuntime from "handlebars/runtime";
import { UsageError } from "../errors.js";
import { VALUE_HELPERS } from "./helpers.js";

type HandlebarsFull = typeof HandlebarsNamespace;
const requireCjs = createRequire(import.meta.url);
let fullHandlebars: HandlebarsFull | undefined;

/** The Handlebars compiler is loaded only when a template is not precompiled (custom or edited ones). */
function compiler(): HandlebarsFull {
  fullHandlebars ??= requireCjs("handlebars") as HandlebarsFull;
  return fullHandlebars;
}

/** Options every template is compiled with, at build time (precompile) and at run time alike. */
export function compileOptions(): CompileOptions {
  return { strict: true, noEscape: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, preventIndent: true };
}

export interface CompileOptions {
  strict: boolean;
  noEscape: boolean;
  knownHelpers: Record<string, true>;
  knownHelpersOnly: boolean;
  preventIndent: boolean;
}

export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex").slice(0, 32);
}

/** Built-in templates compiled at build time (dist/builtin-templates.cjs), keyed by source hash. */
interface Precompiled {
  [hash: string]: object;
}
let precompiled: Precompiled | null | undefined;
function precompiledTemplates(): Precompiled | null {
  if (precompiled === undefined) {
    try {
      precompiled = requireCjs("./builtin-templates.cjs") as Precompiled;
    } catch {
      precompiled = null; // running from source: every template compiles at run time
    }
  }
  return precompiled;
}

/**
 * The Handlebars engine. Templates compile in strict mode with known helpers only and without HTML
 * escaping; a plain `{{path}}` may only print context fields that are safe in any code position
 * (validated identifiers, env var names, routes, import specifiers). Every other value must go through a
 * context helper such as `tsString` or `sqlLiteral`.
 */

/** Context roots whose leaves the context builder guarantees to be identifier/path-safe text. */
export const RAW_SAFE_ROOTS = ["names", "env", "fn", "routes", "tables", "dbRoles", "imports", "tool", "files", "ui"] as const;
const RAW_SAFE_PATH = new RegExp(`^(?:${RAW_SAFE_ROOTS.join("|")})\\.[A-Za-z][A-Za-z0-9]*$`);

const LOGIC_HELPERS = {
  eq: (a: unknown, b: unknown) => a === b,
  /** Joins an array of already-safe strings; use only on values the schema restricts (scopes). */
  join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.map(String).join(String(separator)) : ""),
};

const BUILTIN_HELPERS = ["if", "unless", "each", "lookup", "log"] as const;

export const KNOWN_HELPERS: Record<string, true> = Object.fromEntries(
  [...Object.keys(VALUE_HELPERS), ...Object.keys(LOGIC_HELPERS), ...BUILTIN_HELPERS].map((name) => [name, true]),
);

export interface TemplateProblem {
  template: string;
  line: number;
  column: number;
  message: string;
}

type HbsNode = { type: string; loc?: { start: { line: number; column: number } } } & Record<string, unknown>;

function collectProblems(template: string, node: unknown, problems: TemplateProblem[]): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const child of node) collectProblems(template, child, problems);
    return;
  }
  const n = node as HbsNode;
  const at = { line: n.loc?.start.line ?? 0, column: (n.loc?.start.column ?? 0) + 1 };
  if (n.type === "PartialStatement" || n.type === "PartialBlockStatement" || n.type === "DecoratorBlock") {
    problems.push({ template, ...at, message: "partials and decorators are not supported in templates" });
  }
  if (n.type === "MustacheStatement") {
    const path = n.path as HbsNode & { original?: string; parts?: string[] };
    const params = (n.params as unknown[]) ?? [];
    const isHelperCall = params.length > 0 || (n.hash !== undefined && n.hash !== null);
    if (!isHelperCall && path.type === "PathExpression") {
      const name = String(path.original);
      if (!(name in KNOWN_HELPERS) && !RAW_SAFE_PATH.test(name)) {
        problems.push({
          template,
          ...at,
          message: `{{${name}}} prints a value without a context helper; use one such as {{tsString ${name}}}, {{sqlLiteral ${name}}} or {{mdText ${name}}}`,
        });
      }
    }
    if (!isHelperCall && path.type !== "PathExpression") {
      problems.push({ template, ...at, message: "a literal mustache prints nothing useful; write the text directly" });
    }
  }
  if ((n.type === "BlockStatement" || n.type === "MustacheStatement" || n.type === "SubExpression") && n.path) {
    const path = n.path as HbsNode & { original?: string };
    const params = (n.params as unknown[]) ?? [];
    const isCall = n.type !== "MustacheStatement" || params.length > 0 || n.hash;
    if (isCall && path.type === "PathExpression" && !(String(path.original) in KNOWN_HELPERS)) {
      problems.push({ template, ...at, message: `unknown helper "${String(path.original)}"` });
    }
  }
  for (const [key, value] of Object.entries(n)) {
    if (key === "loc" || key === "path") continue;
    if (value && typeof value === "object") collectProblems(template, value, problems);
  }
}

function parseErrorProblem(template: string, error: unknown): TemplateProblem {
  const message = error instanceof Error ? error.message : String(error);
  const match = /line (\d+)/.exec(message);
  const hash = (error as { hash?: { loc?: { first_line?: number; first_column?: number } } }).hash;
  const line = hash?.loc?.first_line ?? (match ? Number(match[1]) : 1);
  const column = (hash?.loc?.first_column ?? 0) + 1;
  return { template, line, column, message: message.split("\n").filter(Boolean).pop() ?? message };
}

/** Parses a template and reports syntax errors, unknown helpers and unescaped values; renders nothing. */
/** Resolves a dotted path in a sample context: false when a segment does not exist (null values end the walk). */
function pathExists(shape: object, parts: string[]): boolean {
  let current: unknown = shape;
  for (const part of parts) {
    if (current === null || current === undefined) return true;
    if (typeof current !== "object" || !(part in current)) return false;
    current = (current as Record<string, unknown>)[part];
  }
  return true;
}

/** Every variable a template reads must exist in the context (Handlebars' strict mode skips helper arguments). */
function collectUnknownVariables(template: string, node: unknown, shape: object, eachDepth: number, problems: TemplateProblem[]): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const child of node) collectUnknownVariables(template, child, shape, eachDepth, problems);
    return;
  }
  const n = node as HbsNode & { original?: string; parts?: string[]; data?: boolean; head?: unknown };
  if (n.type === "PathExpression") {
    const original = String(n.original);
    const parts = n.parts ?? [];
    const helper = original in KNOWN_HELPERS;
    const relative = n.data || original === "this" || original.startsWith("this.") || original.startsWith("../");
    if (!helper && !relative && parts.length > 0) {
      const known = parts[0]! in shape;
      if ((known && !pathExists(shape, parts)) || (!known && eachDepth === 0)) {
        const at = { line: n.loc?.start.line ?? 0, column: (n.loc?.start.column ?? 0) + 1 };
        problems.push({ template, ...at, message: `unknown variable "${original}"` });
      }
    }
    return;
  }
  const isEach = n.type === "BlockStatement" && (n.path as { original?: string } | undefined)?.original === "each";
  for (const [key, value] of Object.entries(n)) {
    if (key === "loc") continue;
    const inner = isEach && (key === "program" || key === "inverse") ? eachDepth + 1 : eachDepth;
    if (value && typeof value === "object") collectUnknownVariables(template, value, shape, inner, problems);
  }
}

export function checkTemplate(template: string, source: string, shape?: object): TemplateProblem[] {
  let ast: unknown;
  try {
    ast = compiler().parse(source);
  } catch (error) {
    return [parseErrorProblem(template, error)];
  }
  const problems: TemplateProblem[] = [];
  collectProblems(template, ast, problems);
  if (shape) collectUnknownVariables(template, ast, shape, 0, problems);
  return problems;
}

export function templateProblemsError(problems: TemplateProblem[]): UsageError {
  return new UsageError(
    `${problems.length} template problem${problems.length === 1 ? "" : "s"}`,
    problems.map((p) => ({ path: `${p.template}:${p.line}:${p.column}`, message: p.message })),
  );
}

export type RenderFunction = (context: object) => string;

/** One engine per run: private Handlebars instances with our helpers; compiled templates are cached. */
export class TemplateEngine {
  private readonly runtime = HandlebarsRuntime.create();
  private full: HandlebarsFull | undefined;
  private readonly cache = new Map<string, RenderFunction>();

  constructor() {
    for (const [name, helper] of Object.entries({ ...VALUE_HELPERS, ...LOGIC_HELPERS })) {
      this.runtime.registerHelper(name, helper as HandlebarsNamespace.HelperDelegate);
    }
  }

  private fullInstance(): HandlebarsFull {
    if (!this.full) {
      this.full = compiler().create();
      for (const [name, helper] of Object.entries({ ...VALUE_HELPERS, ...LOGIC_HELPERS })) {
        this.full.registerHelper(name, helper as HandlebarsNamespace.HelperDelegate);
      }
    }
    return this.full;
  }

  /**
   * A template's render function: the build-time compiled one when the source is a built-in template as
   * shipped, otherwise validated (template:line:column on any problem) and compiled now.
   */
  compile(template: string, source: string, shape?: object): RenderFunction {
    const cached = this.cache.get(template);
    if (cached) return cached;
    const spec = precompiledTemplates()?.[sourceHash(source)];
    let compiled: (context: object) => string;
    if (spec) {
      compiled = this.runtime.template(spec as Parameters<typeof HandlebarsRuntime.template>[0]);
    } else {
      const problems = checkTemplate(template, source, shape);
      if (problems.length > 0) throw templateProblemsError(problems);
      compiled = this.fullInstance().compile(source, compileOptions());
    }
    const render: RenderFunction = (context) => {
      try {
        return compiled(context);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const match = /^"?([^"]+)"? not defined in .* - (\d+):(\d+)/.exec(message);
        throw new UsageError("template failed to render", [
          {
            path: match ? `${template}:${match[2]}:${Number(match[3]) + 1}` : template,
            message: match ? `unknown variable "${match[1]}"` : message,
          },
        ]);
      }
    };
    this.cache.set(template, render);
    return render;
  }
}

/** Build step: the module source of every built-in template, precompiled (fails on any template problem). */
export function precompileModule(templates: { key: string; source: string; shape?: object }[]): string {
  const problems = templates.flatMap((t) => checkTemplate(t.key, t.source, t.shape));
  if (problems.length > 0) throw templateProblemsError(problems);
  const entries = templates.map(
    (t) => `  ${JSON.stringify(sourceHash(t.source))}: ${compiler().precompile(t.source, compileOptions())}, // ${t.key.replace(/\n/g, " ")}`,
  );
  return `"use strict";\n// Generated at build time by scripts/build.mjs from templates/: do not edit.\nmodule.exports = {\n${entries.join("\n")}\n};\n`;
}
