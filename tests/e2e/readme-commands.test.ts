import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram, normalizeArgv } from "../../src/cli.js";
import { listPresetIds, loadPreset, presetVariables } from "../../src/spec/presets.js";
import { REPO_ROOT } from "../helpers/fixtures.js";

/**
 * Every invocation the README shows is parsed by the CLI's own command tree: a command, option or argument count
 * the README names and the tool lacks fails here. (Running them is the job of the tests each section names; this
 * one makes sure none is missed.)
 */
const COMMANDS = ["new", "adopt", "regenerate", "remove", "doctor", "init", "list", "schema", "templates"];
const README = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

/** Shell words of a command line: quotes removed, a trailing comment, pipe or `&&` cut off. */
function words(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | null = null;
  let started = false;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started || current) out.push(current);
      current = "";
      started = false;
    } else if (char === "#" && !current && !started) {
      break;
    } else {
      current += char;
    }
  }
  if (started || current) out.push(current);
  const stop = out.findIndex((word) => word === "|" || word === "&&" || word === ";" || word === "…");
  return stop === -1 ? out : out.slice(0, stop);
}

/** Placeholders the README writes where a value goes, and the synopsis brackets of the command list. */
function concrete(args: string[]): string[][] {
  const filled = args
    .filter((word) => !/^\[(options|provider\.\.\.|provider)\]$/.test(word))
    .map((word) =>
      word
        .replace(/^<provider>$|^\[provider\]$/, "hubspot")
        .replace(/<url>|^URL$/, "postgres://u@127.0.0.1:5432/db")
        .replace(/<[^>]+>/g, "x"),
    );
  // `[--all]`, `[--db-url URL]`, `[--set basic|advanced]`: the optional part, given.
  const joined = filled.join(" ").replace(/\[([^\]]+)\]/g, "$1");
  // `templates eject | check`, `basic|advanced`: each alternative.
  const alternatives = joined.includes(" | ") ? joined.split(" | ").map((part, index) => (index === 0 ? part : `${joined.split(" ")[0]} ${part}`)) : [joined];
  return alternatives.flatMap((alt) => {
    const choice = /(\S+)\|(\S+)/.exec(alt);
    return (choice ? [alt.replace(choice[0], choice[1]!), alt.replace(choice[0], choice[2]!)] : [alt]).map((text) => text.split(" ").filter(Boolean));
  });
}

/** Invocations in code blocks and inline code: `nexus-integrate <command> …` and bare `<command> --flag …`. */
function invocations(): { source: string; args: string[] }[] {
  const found: { source: string; args: string[] }[] = [];
  const add = (source: string, rest: string) => {
    // A synopsis line of the command list: the description follows after two or more spaces.
    const parts = words(rest.split(/\s{2,}/)[0]!);
    if (parts.length === 0 || !COMMANDS.includes(parts[0]!)) return;
    for (const args of concrete(parts)) found.push({ source, args });
  };
  for (const [, block] of README.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    for (const line of block!.split("\n")) {
      const match = /(?:^|\s|\$ )(?:npx )?nexus-integrate ([^\n]*)/.exec(line);
      if (match) add(line.trim(), match[1]!);
    }
  }
  const prose = README.replace(/```[a-z]*\n[\s\S]*?```/g, "");
  for (const [, code] of prose.matchAll(/`([^`\n]+)`/g)) {
    const prefixed = /^(?:npx )?nexus-integrate (.*)$/.exec(code!);
    if (prefixed) add(code!, prefixed[1]!);
    else if (new RegExp(`^(${COMMANDS.join("|")})( |$)`).test(code!) && (code!.includes(" --") || code!.includes(" -"))) add(code!, code!);
  }
  return found;
}

/** The CLI's command tree with every action a no-op: parsing only. */
function parser(): Command {
  const program = buildProgram();
  const quiet = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined, outputError: () => undefined });
    if (command.commands.length === 0 || command.name() !== "nexus-integrate") command.action(() => undefined);
    command.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}

describe("the README's command examples", () => {
  const all = invocations();

  it("finds the examples (every command the README documents is among them)", () => {
    const commands = new Set(all.map((entry) => entry.args[0]));
    for (const command of COMMANDS) expect(commands, command).toContain(command);
    expect(all.length).toBeGreaterThan(40);
  });

  it("each one parses: its command, options and arguments exist", async () => {
    const failures: string[] = [];
    for (const { source, args } of all) {
      try {
        try {
          await parser().parseAsync(normalizeArgv(["node", "nexus-integrate", ...args]));
        } catch (error) {
          // Prose that names a flag (`doctor --db-url` reports …) writes it without its value: give it one.
          if (!(error instanceof CommanderError && /argument missing/.test(error.message) && args.at(-1)!.startsWith("--"))) throw error;
          await parser().parseAsync(normalizeArgv(["node", "nexus-integrate", ...args, "postgres://u@127.0.0.1:5432/db"]));
        }
      } catch (error) {
        if (error instanceof CommanderError && error.exitCode === 0) continue; // --help, --version
        failures.push(`${source}\n    → [${args.join(" ")}]: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("a flag the tool does not have is caught (the check can fail)", async () => {
    await expect(parser().parseAsync(["node", "nexus-integrate", "schema", "--no-such-flag"])).rejects.toThrow(/unknown option/);
  });
});

describe("the README's presets table", () => {
  const rows = new Map<string, string[]>();
  const table = README.slice(README.indexOf("### Presets"), README.indexOf("### Spec files"));
  for (const line of table.split("\n")) {
    const cells = /^\| `([a-z0-9-]+)` \|(.*)\|$/.exec(line);
    if (cells) rows.set(cells[1]!, cells[2]!.split(" | ").map((cell) => cell.trim()));
  }

  it("lists every preset once, with its PKCE, scope separator, variables and webhook scheme", () => {
    expect([...rows.keys()].sort()).toEqual(listPresetIds());
    for (const id of listPresetIds()) {
      const [, pkce, separator, variables, webhooks] = rows.get(id)!;
      const spec = loadPreset(id);
      expect(pkce, id).toBe(spec.pkce === false ? "off" : "S256");
      expect(separator, id).toBe((spec.scopes ?? []).length === 0 ? "none (no scopes)" : spec.scopeSeparator === "," ? "comma" : "space");
      const declared = Object.keys(presetVariables(id));
      if (declared.length === 0) expect(variables, id).toBe("—");
      for (const name of declared) expect(variables, id).toContain(`\`${name}\``);
      expect(webhooks, id).toMatch(spec.webhooks ? new RegExp(`^\`${spec.webhooks.scheme}\``) : /^none/);
    }
  });
});
