/**
 * Context-safe value helpers. A value that reaches generated code goes through exactly one of these,
 * chosen by where it lands; none of them HTML-escapes (wrong for code).
 */

const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** A TypeScript/JavaScript string literal (double-quoted), safe inside `<script>` and JSX too. */
export function tsString(value: unknown): string {
  return JSON.stringify(String(value))
    .replace(/<\//g, "<\\/")
    .replace(LINE_SEPARATORS, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats like prettier: `[a, b]`, `{ key: v }`, `{}`; keys quoted only when they must be. */
function formatValue(value: unknown, indent: string, multiline: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => formatValue(item, `${indent}  `, multiline));
    return multiline ? `[\n${items.map((i) => `${indent}  ${i},`).join("\n")}\n${indent}]` : `[${items.join(", ")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const items = entries.map(([key, item]) => `${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: ${formatValue(item, `${indent}  `, multiline)}`);
    return multiline ? `{\n${items.map((i) => `${indent}  ${i},`).join("\n")}\n${indent}}` : `{ ${items.join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/**
 * A TypeScript value (array, object, string, number, boolean, null) as a literal: on one line when short,
 * else one item a line, indented from `indent=N` (the column the value starts at).
 */
export function tsValue(value: unknown, options?: { hash?: { indent?: number } }): string {
  const indent = " ".repeat(options?.hash?.indent ?? 0);
  const oneLine = formatValue(value, indent, false);
  const text = oneLine.length <= 60 ? oneLine : formatValue(value, indent, true);
  return text.replace(/<\//g, "<\\/").replace(LINE_SEPARATORS, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}

/** Text inside a JSX element: plain when it is plainly safe, else a string-literal expression. */
export function jsxText(value: unknown): string {
  const text = String(value);
  if (/^[A-Za-z0-9 .,:;!?()\-+/]*$/.test(text) && text.trim() === text && text.length > 0) return text;
  return `{${tsString(text)}}`;
}

/** A text line inside a // or /* comment: no line breaks, no comment terminator. */
export function commentText(value: unknown): string {
  return String(value)
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/\*\//g, "*\\/");
}

/** A SQL string literal (standard_conforming_strings: only the quote needs doubling). */
export function sqlLiteral(value: unknown): string {
  const text = String(value);
  if (text.includes("\u0000")) throw new Error("a SQL literal cannot contain a NUL character");
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier: bare when it is a plain lowercase name, quoted otherwise. */
export function sqlIdent(value: unknown): string {
  const text = String(value);
  if (text.includes("\u0000")) throw new Error("a SQL identifier cannot contain a NUL character");
  if (/^[a-z_][a-z0-9_]{0,62}$/.test(text)) return text;
  return `"${text.replace(/"/g, '""')}"`;
}

/** Markdown inline text: Markdown and HTML metacharacters are backslash-escaped, line breaks folded. */
export function mdText(value: unknown): string {
  return String(value)
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/[\\`*_{}[\]()#+\-.!|<>&~"']/g, (c) => `\\${c}`);
}

/**
 * Markdown prose that keeps its `code spans`: outside them only what Markdown or HTML would act on is escaped (`<`,
 * `&`, `*`, `[`, `]`, `|`, `~`, `\\`, an `_` at a word's edge, a block marker such as `>` at the start), so
 * "2026-03" and "Settings > Apps" stay as written; a backtick run without its closing run is escaped. Line breaks
 * are folded.
 */
export function mdProse(value: unknown): string {
  const text = String(value).replace(/[\r\n\u2028\u2029]+/g, " ");
  const alnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  const escape = (part: string) =>
    part
      .replace(/[\\*[\]<&|~]/g, (c) => `\\${c}`)
      .replace(/_/g, (c, offset: number) => (alnum(part[offset - 1]) && alnum(part[offset + 1]) ? c : "\\_"));
  let out = "";
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "`") {
      plain += text[i];
      i += 1;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))![0];
    // The closing run: the same number of backticks, not part of a longer run.
    let close = -1;
    for (let j = text.indexOf(run, i + run.length); j !== -1; j = text.indexOf(run, j + 1)) {
      if (text[j - 1] !== "`" && text[j + run.length] !== "`") {
        close = j;
        break;
      }
    }
    if (close === -1) {
      out += escape(plain) + run.replace(/`/g, "\\`");
      plain = "";
      i += run.length;
      continue;
    }
    out += escape(plain) + text.slice(i, close + run.length);
    plain = "";
    i = close + run.length;
  }
  out += escape(plain);
  // A block marker at the very start (a heading, a quote, a list) would change the line it is put on.
  return out.replace(/^(\s*)([#>+=-]|\d+[.)])/, (_whole, space: string, marker: string) => `${space}${marker.replace(/([#>+=.)-])$/, "\\$1")}`);
}

/** Markdown inline code: a backtick fence longer than any backtick run inside. */
export function mdCode(value: unknown): string {
  const text = String(value).replace(/[\r\n\u2028\u2029]+/g, " ");
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A Markdown autolink to an absolute URL (normalized, so `<`, `>` and spaces are percent-encoded). */
export function mdUrl(value: unknown): string {
  return `<${new URL(String(value)).href}>`;
}

/** A value in a dotenv file: bare when plainly safe, else double-quoted with escapes. */
export function envValue(value: unknown): string {
  const text = String(value);
  if (/^[A-Za-z0-9_./:@+-]*$/.test(text)) return text;
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\$/g, "\\$")}"`;
}

// Name-case helpers for values that are not already derived in the context.
function words(value: unknown): string[] {
  return String(value).match(/[A-Za-z0-9]+/g) ?? [];
}
export function pascal(value: unknown): string {
  return words(value)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}
export function camel(value: unknown): string {
  const p = pascal(value);
  return p.charAt(0).toLowerCase() + p.slice(1);
}
export function constant(value: unknown): string {
  return words(value)
    .map((w) => w.toUpperCase())
    .join("_");
}
export function kebab(value: unknown): string {
  return words(value)
    .map((w) => w.toLowerCase())
    .join("-");
}

/** Every value helper, by the name templates use. */
export const VALUE_HELPERS = {
  tsString,
  tsValue,
  jsxText,
  commentText,
  sqlLiteral,
  sqlIdent,
  mdText,
  mdProse,
  mdCode,
  mdUrl,
  envValue,
  pascal,
  camel,
  constant,
  kebab,
} as const satisfies Record<string, (value: unknown, options?: { hash?: { indent?: number } }) => string>;
