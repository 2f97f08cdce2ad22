import { parse } from "@babel/parser";
import type { Node } from "@babel/types";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FieldIssue } from "../errors.js";

/**
 * What a hand-written playbook integration configures, read from its source as the playbook lays it out
 * (`REQUIRED_SCOPES`, the `<NAME>_API` object of utils.ts, the functions' `<NAME>_TOKEN_URL` and
 * `<NAME>_INTEGRATION_ID` constants, the `provider` its token rows carry). Only literal values are read: a
 * constant that is computed is reported as unclear, never guessed.
 */
export interface ReadValue<T> {
  value: T;
  /** Where it was read: `src/services/integrations/hubspot/utils.ts: REQUIRED_SCOPES`. */
  from: string;
}

export interface HandWrittenConfig {
  scopes?: ReadValue<string[]>;
  authorizationUrl?: ReadValue<string>;
  tokenUrl?: ReadValue<string>;
  userinfoUrl?: ReadValue<string>;
  /** The API URL the hand-written sync reads. */
  dataEndpoint?: ReadValue<string>;
  /** `user_integrations.integration_id` of this integration's rows (the playbook's uuid constant). */
  legacyIntegrationId?: ReadValue<string>;
  /** `user_integrations.integration_name` of its rows, where the code writes or filters by it inline ("HubSpot"). */
  legacyIntegrationName?: ReadValue<string>;
  /** `oauth_tokens.provider` of this integration's rows. */
  legacyProvider?: ReadValue<string>;
  /** Constructs found whose value cannot be read without running the code. */
  unclear: FieldIssue[];
}

type Literal = string | Literal[] | { [key: string]: Literal };
const NOT_LITERAL = Symbol("not literal");

/** The value of a literal expression (strings, arrays and objects of them, `as const`), or NOT_LITERAL. */
function literalOf(node: Node | null | undefined): Literal | typeof NOT_LITERAL {
  if (!node) return NOT_LITERAL;
  switch (node.type) {
    case "StringLiteral":
      return node.value;
    case "TemplateLiteral":
      return node.expressions.length === 0 ? node.quasis.map((q) => q.value.cooked ?? q.value.raw).join("") : NOT_LITERAL;
    case "TSAsExpression":
    case "TSSatisfiesExpression":
    case "TSNonNullExpression":
    case "ParenthesizedExpression":
      return literalOf(node.expression);
    case "ArrayExpression": {
      const items: Literal[] = [];
      for (const element of node.elements) {
        const value = element && element.type !== "SpreadElement" ? literalOf(element) : NOT_LITERAL;
        if (value === NOT_LITERAL) return NOT_LITERAL;
        items.push(value);
      }
      return items;
    }
    case "ObjectExpression": {
      const out: Record<string, Literal> = {};
      for (const property of node.properties) {
        if (property.type !== "ObjectProperty" || property.computed) return NOT_LITERAL;
        const key = property.key.type === "Identifier" ? property.key.name : property.key.type === "StringLiteral" ? property.key.value : null;
        const value = literalOf(property.value as Node);
        if (key === null || value === NOT_LITERAL) return NOT_LITERAL;
        out[key] = value;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** Every node below `node`, depth first. */
function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
    return;
  }
  if (!node || typeof node !== "object" || typeof (node as { type?: unknown }).type !== "string") return;
  yield node as Node;
  for (const [key, child] of Object.entries(node)) {
    if (key === "loc" || key === "leadingComments" || key === "trailingComments" || key === "innerComments") continue;
    if (child && typeof child === "object") yield* walk(child);
  }
}

interface Found {
  value: Literal | typeof NOT_LITERAL;
  from: string;
  /** The flag that supplies the value instead. */
  flag: string;
}

interface Constant {
  name: string;
  value: Literal | typeof NOT_LITERAL;
  file: string;
}

function parseFile(root: string, file: string): { constants: Constant[]; providers: (string | typeof NOT_LITERAL)[]; integrationIds: string[]; integrationNames: string[] } {
  const source = readFileSync(path.join(root, file), "utf8");
  const ast = parse(source, { sourceType: "module", plugins: ["typescript", "jsx"], errorRecovery: true });
  const constants: Constant[] = [];
  const providers: (string | typeof NOT_LITERAL)[] = [];
  // The integration's id written inline, not through a constant: `integration_id: "6b1f…"` in the row a hand-written
  // function upserts, or `.eq("integration_id", "6b1f…")` in its queries (a constant there is read as a constant).
  const integrationIds: string[] = [];
  // Its name the same ways (`integration_name: "HubSpot"`, `.eq("integration_name", "HubSpot")`): rows can be told by it.
  const integrationNames: string[] = [];
  const inline: Record<string, string[]> = { integration_id: integrationIds, integration_name: integrationNames };
  for (const node of walk(ast.program)) {
    if (node.type === "ObjectProperty" && node.key.type === "Identifier" && node.key.name in inline && node.value.type === "StringLiteral") {
      inline[node.key.name]!.push(node.value.value);
    }
    if (
      node.type === "CallExpression" &&
      node.callee.type === "MemberExpression" &&
      node.callee.property.type === "Identifier" &&
      node.callee.property.name === "eq" &&
      node.arguments[0]?.type === "StringLiteral" &&
      node.arguments[0].value in inline &&
      node.arguments[1]?.type === "StringLiteral"
    ) {
      inline[node.arguments[0].value]!.push(node.arguments[1].value);
    }
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && /^[A-Z][A-Z0-9_]*$/.test(node.id.name)) {
      constants.push({ name: node.id.name, value: literalOf(node.init), file });
    }
    // The row the hand-written exchange stores: { user_id, provider: "hubspot", access_token, … }.
    if (node.type === "ObjectExpression") {
      const keys = node.properties.flatMap((p) => (p.type === "ObjectProperty" && p.key.type === "Identifier" ? [p.key.name] : []));
      if (!keys.includes("provider") || !keys.includes("access_token")) continue;
      for (const property of node.properties) {
        if (property.type === "ObjectProperty" && property.key.type === "Identifier" && property.key.name === "provider") {
          const value = literalOf(property.value as Node);
          // A computed provider (a constant, a variable) cannot be told without running the code: unclear.
          providers.push(typeof value === "string" ? value : NOT_LITERAL);
        }
      }
    }
  }
  return { constants, providers, integrationIds, integrationNames };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the configuration the hand-written files hold (`files`: relative to `root`, existing). */
export function readHandWrittenConfig(root: string, files: string[]): HandWrittenConfig {
  const config: HandWrittenConfig = { unclear: [] };
  const parsed = files.filter((f) => /\.(ts|tsx)$/.test(f)).map((file) => ({ file, ...parseFile(root, file) }));
  const constants = parsed.flatMap((p) => p.constants);

  /** One field from every place that configures it: the places must agree. */
  const settle = (field: keyof Omit<HandWrittenConfig, "unclear">, found: Found[]) => {
    const unreadable = found.find((f) => f.value === NOT_LITERAL);
    if (unreadable) {
      config.unclear.push({ path: unreadable.from, message: `is not a literal value, so ${field} cannot be read from it: pass ${unreadable.flag}` });
      return;
    }
    const distinct = [...new Map(found.map((f) => [JSON.stringify(f.value), f])).values()];
    if (distinct.length > 1) {
      config.unclear.push({
        path: distinct.map((f) => f.from).join(" / "),
        message: `disagree on ${field} (${distinct.map((f) => JSON.stringify(f.value)).join(" vs ")}): pass ${distinct[0]!.flag}`,
      });
      return;
    }
    if (distinct[0]) (config as unknown as Record<string, ReadValue<Literal>>)[field] = { value: distinct[0].value as Literal, from: distinct[0].from };
  };

  const apiObjects = constants.filter((c) => /_API$/.test(c.name));
  const fromApi = (keys: string[], flag: string): Found[] =>
    apiObjects.flatMap((c): Found[] => {
      if (c.value === NOT_LITERAL) return [{ value: NOT_LITERAL, from: `${c.file}: ${c.name}`, flag }];
      if (typeof c.value !== "object" || Array.isArray(c.value)) return [];
      const key = keys.find((k) => k in (c.value as Record<string, Literal>));
      return key === undefined ? [] : [{ value: (c.value as Record<string, Literal>)[key]!, from: `${c.file}: ${c.name}.${key}`, flag }];
    });
  const named = (pattern: RegExp, flag: string): Found[] =>
    constants.filter((c) => pattern.test(c.name)).map((c) => ({ value: c.value, from: `${c.file}: ${c.name}`, flag }));
  /** Only strings count: anything else is as unreadable as a computed value. */
  const strings = (found: Found[]): Found[] => found.map((f) => (typeof f.value === "string" ? f : { ...f, value: NOT_LITERAL }));

  const scopes = named(/^REQUIRED_SCOPES$/, "--scopes").map((f): Found =>
    Array.isArray(f.value) && f.value.every((s) => typeof s === "string") ? f : { ...f, value: NOT_LITERAL },
  );
  settle("scopes", scopes);
  settle("authorizationUrl", strings([...fromApi(["AUTH_URL", "AUTHORIZATION_URL", "AUTHORIZE_URL"], "--auth-url"), ...named(/_(AUTH|AUTHORIZE|AUTHORIZATION)_URL$/, "--auth-url")]));
  settle("tokenUrl", strings([...fromApi(["TOKEN_URL"], "--token-url"), ...named(/_TOKEN_URL$/, "--token-url")]));
  settle("userinfoUrl", strings([...fromApi(["USER_INFO", "USERINFO_URL", "USER_INFO_URL"], "--userinfo-url"), ...named(/_USER_?INFO(_URL)?$/, "--userinfo-url")]));
  settle("dataEndpoint", strings([...fromApi(["DATA_ENDPOINT"], "--sync-path"), ...named(/_DATA_ENDPOINT$/, "--sync-path")]));
  const ids = [
    ...named(/_INTEGRATION_ID$/, "--legacy-integration-id"),
    ...parsed.flatMap((p) =>
      p.integrationIds.filter((value) => UUID.test(value)).map((value): Found => ({ value, from: `${p.file}: integration_id`, flag: "--legacy-integration-id" })),
    ),
  ].map((f): Found => (typeof f.value === "string" && UUID.test(f.value) ? f : { ...f, value: NOT_LITERAL }));
  settle("legacyIntegrationId", ids);
  settle(
    "legacyIntegrationName",
    parsed.flatMap((p) => p.integrationNames.map((value): Found => ({ value, from: `${p.file}: integration_name`, flag: "--legacy-integration-id" }))),
  );
  settle(
    "legacyProvider",
    parsed.flatMap((p) => p.providers.map((value): Found => ({ value, from: `${p.file}: provider`, flag: "--legacy-provider" }))),
  );
  return config;
}
