import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mdProse } from "../../src/render/helpers.js";

/** Provider notes and console steps: prose that keeps its code spans and reads as written. */
describe("mdProse", () => {
  it("keeps code spans and plain punctuation as written (no 2026\\-03)", () => {
    expect(mdProse("OAuth 2026-03 endpoints (/oauth/v1/token …) carry a `scopes` array, plus hub_id.")).toBe(
      "OAuth 2026-03 endpoints (/oauth/v1/token …) carry a `scopes` array, plus hub_id.",
    );
    expect(mdProse("a ``code with ` inside`` here")).toBe("a ``code with ` inside`` here");
  });

  it("escapes what Markdown or HTML would act on outside code, and a backtick without its pair", () => {
    expect(mdProse("<script>alert(1)</script> & [x](javascript:alert(1)) *b* _c_ a|b ~~s~~")).toBe(
      "\\<script>alert(1)\\</script> \\& \\[x\\](javascript:alert(1)) \\*b\\* \\_c\\_ a\\|b \\~\\~s\\~\\~",
    );
    expect(mdProse("unclosed ` tick <b>")).toBe("unclosed \\` tick \\<b>");
    expect(mdProse("Settings > Apps")).toBe("Settings > Apps");
    expect(mdProse("> not a quote")).toBe("\\> not a quote");
    expect(mdProse("`<b>` is code")).toBe("`<b>` is code");
  });

  it("a block marker at the start stays text", () => {
    expect(mdProse("# not a heading")).toBe("\\# not a heading");
    expect(mdProse("1. not a list")).toBe("1\\. not a list");
    expect(mdProse("- not an item")).toBe("\\- not an item");
    expect(mdProse("line\nbreak")).toBe("line break");
  });

  it("outside code spans, no raw < & * [ ] | ~ is left, for any text", () => {
    /** Markdown's reading of the output: a backslash escapes the next character; a backtick run opens a span closed by a run as long. */
    const unescaped = (out: string): string[] => {
      const raw: string[] = [];
      for (let i = 0; i < out.length; i++) {
        if (out[i] === "\\") {
          i += 1;
          continue;
        }
        if (out[i] === "`") {
          const run = /^`+/.exec(out.slice(i))![0];
          let close = -1;
          for (let j = out.indexOf(run, i + run.length); j !== -1; j = out.indexOf(run, j + 1)) {
            if (out[j - 1] !== "`" && out[j + run.length] !== "`") {
              close = j;
              break;
            }
          }
          if (close === -1) raw.push(run);
          i = (close === -1 ? i + run.length : close + run.length) - 1;
          continue;
        }
        if ("<&*[]|~".includes(out[i]!)) raw.push(out[i]!);
      }
      return raw;
    };
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = mdProse(text);
        expect(unescaped(out)).toEqual([]);
        expect(out).not.toMatch(/^\s*>/);
        expect(out).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 2000 },
    );
  });
});
