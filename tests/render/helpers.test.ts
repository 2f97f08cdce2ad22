import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { syntaxErrors } from "../helpers/typescript.js";
import {
  commentText,
  envValue,
  jsxText,
  mdCode,
  mdText,
  sqlIdent,
  sqlLiteral,
  tsString,
  tsValue,
} from "../../src/render/helpers.js";

const HOSTILE = [
  `"`,
  `'`,
  "`",
  "${x}",
  "</script>",
  "</SCRIPT>",
  "line\nbreak",
  "\r\n",
  "\u2028\u2029",
  "back\\slash",
  "*/ /*",
  "{}<>&",
  "🚀 emoji",
  "-- comment",
  "\t",
];

/** Evaluates a JS expression in isolation (the helpers' output must be a literal that means the input). */
function evaluate(expression: string): unknown {
  return new Function(`"use strict"; return (${expression});`)();
}


/** A minimal reader of a single-quoted SQL literal: '' is a quote, nothing else is special. */
function readSqlLiteral(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const inner = literal.slice(1, -1);
  expect(inner.replace(/''/g, "")).not.toContain("'");
  return inner.replace(/''/g, "'");
}

describe("tsString", () => {
  it.each(HOSTILE)("round-trips %j and never closes a script tag", (value) => {
    const literal = tsString(value);
    expect(evaluate(literal)).toBe(value);
    expect(literal.toLowerCase()).not.toContain("</script");
    expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
  });

  it("round-trips any string (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const literal = tsString(value);
        expect(evaluate(literal)).toBe(value);
        expect(literal).not.toMatch(/<\/|[\n\r\u2028\u2029]/);
      }),
    );
  });

  it("tsValue keeps arrays and objects exact", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((k) => k !== "__proto__"), fc.array(fc.string())), (value) => {
        expect(evaluate(tsValue(value))).toEqual(value);
      }),
    );
  });
});

describe("jsxText", () => {
  it.each(HOSTILE)("renders %j as JSX text that parses and shows the same characters", (value) => {
    const source = `export const el = <p>${jsxText(value)}</p>;`;
    expect(syntaxErrors(source, "x.tsx")).toEqual([]);
  });

  it("leaves plain text plain", () => {
    expect(jsxText("Connect HubSpot")).toBe("Connect HubSpot");
    expect(jsxText("a{b}")).toBe('{"a{b}"}');
  });
});

describe("sqlLiteral and sqlIdent", () => {
  it("round-trips any text without NUL (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }).filter((s) => !s.includes("\u0000")),
        (value) => {
          expect(readSqlLiteral(sqlLiteral(value))).toBe(value);
        },
      ),
    );
  });

  it("rejects NUL, which Postgres cannot store in text", () => {
    expect(() => sqlLiteral("a\u0000b")).toThrow(/NUL/);
  });

  it("quotes identifiers that are not plain", () => {
    expect(sqlIdent("hubspot_records")).toBe("hubspot_records");
    expect(sqlIdent('we"ird')).toBe('"we""ird"');
    expect(sqlIdent("Upper")).toBe('"Upper"');
  });
});

describe("comment, Markdown and dotenv text", () => {
  it.each(HOSTILE)("commentText keeps %j inside one comment line", (value) => {
    const out = commentText(value);
    expect(out).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(out).not.toContain("*/");
    expect(syntaxErrors(`/** ${out} */\n// ${out}\nexport const a = 1;`, "x.ts")).toEqual([]);
  });

  it.each(HOSTILE)("mdText escapes %j (no raw HTML, no line breaks)", (value) => {
    const out = mdText(value);
    expect(out).not.toMatch(/(^|[^\\])[<>`*_]/);
    expect(out).not.toMatch(/[\r\n]/);
  });

  it("mdCode fences backticks", () => {
    expect(mdCode("a`b")).toBe("``a`b``");
    expect(mdCode("`x")).toBe("`` `x ``");
  });

  it("envValue quotes what a dotenv parser would misread", () => {
    expect(envValue("abc-123")).toBe("abc-123");
    expect(envValue('a "b" $c')).toBe('"a \\"b\\" \\$c"');
  });
});
