import Handlebars from "handlebars";
import { UsageError } from "../errors.js";
import { VALUE_HELPERS } from "./helpers.js";

/**
 * The Handlebars engine. Templates compile in strict mode with known helpers only and without HTML
 * escaping; a plain `{{path}}` may only print context fields that are safe in any code position
 * (validated identifiers, env var names, routes, import specifiers). Every other value must go through a
 * context helper such as `tsString` or `sqlLiteral`.
 */

/** Context roots whose leaves the context builder guarantees to be identifier/path-safe text. */
export const RAW_SAFE_ROOTS = ["names", "env", "fn", "routes", "tables", "imports", "tool", "files"] as const;
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
export function checkTemplate(template: string, source: string): TemplateProblem[] {
  let ast: unknown;
  try {
    ast = Handlebars.parse(source);
  } catch (error) {
    return [parseErrorProblem(template, error)];
  }
  const problems: TemplateProblem[] = [];
  collectProblems(template, ast, problems);
  return problems;
}

export function templateProblemsError(problems: TemplateProblem[]): UsageError {
  return new UsageError(
    `${problems.length} template problem${problems.length === 1 ? "" : "s"}`,
    problems.map((p) => ({ path: `${p.template}:${p.line}:${p.column}`, message: p.message })),
  );
}

export type RenderFunction = (context: object) => string;

/** One engine per run: a private Handlebars instance with our helpers; compiled templates are cached. */
export class TemplateEngine {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, RenderFunction>();

  constructor() {
    for (const [name, helper] of Object.entries({ ...VALUE_HELPERS, ...LOGIC_HELPERS })) {
      this.hbs.registerHelper(name, helper as Handlebars.HelperDelegate);
    }
  }

  /** Validates then compiles; throws a UsageError naming template:line:column on any problem. */
  compile(template: string, source: string): RenderFunction {
    const cached = this.cache.get(template);
    if (cached) return cached;
    const problems = checkTemplate(template, source);
    if (problems.length > 0) throw templateProblemsError(problems);
    const compiled = this.hbs.compile(source, {
      strict: true,
      noEscape: true,
      knownHelpers: KNOWN_HELPERS,
      knownHelpersOnly: true,
      preventIndent: true,
    });
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
