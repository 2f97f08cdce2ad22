import { Command, CommanderError, Option } from "commander";
import { toolVersion } from "./package-root.js";
import type { AdoptOptions } from "./commands/adopt.js";
import type { CommandOutcome, Interaction, NewOptions } from "./commands/new.js";
import type { RegenerateOptions } from "./commands/regenerate.js";
import type { RemoveOptions } from "./commands/remove.js";
import type { Reporter, RunReport } from "./report.js";

/**
 * The command-line program. Commands are thin and their modules load lazily; this is the one place that
 * turns errors into exit codes: 0 success, 1 failed / conflicts / drift, 2 invalid input or usage,
 * 130 cancelled at a prompt.
 */

const debug = (process.env.DEBUG ?? "").split(",").includes("nexus-integrate");

/** The options that describe an integration's spec, shared by `new` and `adopt`. */
function withSpecOptions(command: Command): Command {
  return command
    .option("-t, --target <dir>", "the Nexus app to write into (alias: --cwd)", ".")
    .option("--spec <file>", "a spec file (JSON or YAML) with the integration's fields")
    .option("--preset <name>", "start from this preset (when <provider> is a new id)")
    .option("--var <name=value>", "a preset variable, e.g. tenant=contoso for microsoft (repeatable)", collect)
    .option("--name <display>", "display name shown to users")
    .option("--pascal-name <Name>", "PascalCase name for components (derived from the display name)")
    .option("--issuer <url>", "the authorization server's issuer, checked against RFC 9207 `iss` (default: the auth URL's origin; Keycloak …/realms/x)")
    .option("--auth-url <url>", "authorization endpoint")
    .option("--token-url <url>", "token endpoint")
    .option("--userinfo-url <url>", "endpoint that describes the connected account")
    .option("--revocation-url <url>", "token revocation endpoint (RFC 7009)")
    .option("--api-base-url <url>", "base URL of the provider's API")
    .option("--scopes <list>", 'scopes, separated by spaces or commas: "a b,c" ("" for a provider that takes none)')
    .option("--scope-separator <sep>", 'how the provider joins scopes: "space" or "comma"')
    .option("--auth-param <name=value>", "extra authorization parameter (repeatable)", collect)
    .option("--pkce", "use PKCE (S256)")
    .option("--no-pkce", "do not use PKCE (only for providers that reject it)")
    .addOption(
      new Option("--token-auth-method <method>", "how the client authenticates at the token endpoint").choices([
        "client_secret_post",
        "client_secret_basic",
      ]),
    )
    .option("--sync-path <path>", 'API path the sync function reads, e.g. "/v1/items"')
    .option("--items-field <field>", "field of the sync response that holds the list")
    .option("--id-field <field>", "field of each item that identifies it")
    .option("--sync-frequency <duration>", "how often Supabase Cron syncs each connection: 30s (the least) to 7d, e.g. 15m, 1h (default: the preset's)")
    .addOption(new Option("--template <set>", "template set").choices(["basic", "advanced"]))
    .option("--templates <dir>", "a team's template folder for this run (overrides nexus-integrate.config.json)");
}

/** The spec flags as the user gave them: commander defaults `pkce` (from --no-pkce) even when neither was typed. */
function givenFlags<T extends { pkce?: boolean }>(options: T, command: Command): T {
  const flags = { ...options };
  if (command.getOptionValueSource("pkce") !== "cli") delete flags.pkce;
  return flags;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** How much a command prints: `--json` (one object), `-q/--quiet` (only what needs you), `--verbose` (everything). */
interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** `--diff` (every file's) or `--diff <path>` (one file's): the bodies a dry run would write. */
  diff?: boolean | string;
}

async function reporterFor(output: OutputOptions): Promise<Reporter> {
  const { createReporter, palette } = await import("./report.js");
  const json = output.json ?? false;
  return createReporter(
    { json, debug, quiet: output.quiet ?? false, verbose: output.verbose ?? false, diff: output.diff ?? false },
    json ? undefined : await palette(),
  );
}

/** `-q/--quiet` and `--verbose`, for every command that reports. */
function withOutputOptions(command: Command): Command {
  return command
    .option("-q, --quiet", "print only what needs you: errors, conflicts, snippets to paste")
    .option("--verbose", "also list files that did not change")
    .option("--diff [path]", "with --dry-run: show the diffs (of every file, or of the one at path)");
}

/** A command that changes files: run it, print its report, set the exit code. */
async function runWriting(output: OutputOptions, run: (reporter: Reporter) => Promise<CommandOutcome>): Promise<void> {
  const reporter = await reporterFor(output);
  const outcome = await run(reporter);
  reporter.run(outcome.report);
  process.exitCode = outcome.exitCode;
}

/** Prompts only for a person at a terminal: never with --yes, --json, or when stdin/stdout is not a TTY. */
function isInteractive(options: { yes?: boolean; json?: boolean }): boolean {
  return !options.yes && !options.json && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
}

function interactionFor(reporter: Reporter): Interaction {
  return {
    async choosePreset() {
      return (await import("./spec/prompts.js")).choosePreset();
    },
    async confirmSuggestion(question) {
      return (await import("./spec/prompts.js")).confirmWrite(question);
    },
    async promptForVariables(preset, given) {
      return (await import("./spec/prompts.js")).promptForVariables(preset, given);
    },
    async promptForMissing(input) {
      const { promptForMissing } = await import("./spec/prompts.js");
      return promptForMissing(input);
    },
    async confirmPlan(report) {
      const { confirmWrite } = await import("./spec/prompts.js");
      reporter.preview(report, report.spec ?? {});
      return confirmWrite("Write these files?");
    },
    async chooseDetected(question, candidates) {
      return (await import("./spec/prompts.js")).chooseValue(question, candidates);
    },
    async askLegacyIntegrationId(question) {
      return (await import("./spec/prompts.js")).askUuid(question);
    },
  };
}

const EXAMPLES = {
  new: `
Examples:
  $ nexus-integrate new hubspot                      # interactive: asks only what it cannot know
  $ nexus-integrate new hubspot --yes --target ../nexus
  $ nexus-integrate new acme --spec acme.yaml --yes
  $ nexus-integrate new acme --discover https://auth.acme.com --api-base-url https://api.acme.com --scopes "read" --sync-path /v1/items --name Acme --yes
  $ nexus-integrate new hubspot-eu --preset hubspot --auth-url https://app-eu1.hubspot.com/oauth/authorize --yes
  $ nexus-integrate new google-analytics --dry-run`,
  adopt: `
Examples:
  $ nexus-integrate adopt hubspot --dry-run          # what it found, what it reads, the plan; writes nothing
  $ nexus-integrate adopt hubspot --yes              # replace the hand-written files, move its users' tokens
  $ nexus-integrate adopt acme --spec acme.yaml --legacy-integration-id 5b6e9c0a-3f1d-4c2e-9a7b-1d2e3f4a5b6c`,
  init: `
Examples:
  $ nexus-integrate init                             # in the app (or any folder inside it)
  $ nexus-integrate init --yes --target ../nexus     # CI: fail when something cannot be detected`,
  regenerate: `
Examples:
  $ nexus-integrate regenerate --all                 # re-render from the lockfile, merging your edits
  $ nexus-integrate regenerate hubspot --dry-run --diff   # show the diffs only
  $ nexus-integrate regenerate hubspot --template advanced   # move it to the advanced set, keeping your edits
  $ nexus-integrate regenerate --all --check         # CI: exit 1 when a scaffold is stale`,
  remove: `
Examples:
  $ nexus-integrate remove hubspot --dry-run         # the plan, and the data its migration would delete
  $ nexus-integrate remove hubspot                   # asks first; edited files are kept and listed
  $ nexus-integrate remove hubspot --yes             # scripts and CI: no terminal, no question
  $ nexus-integrate remove hubspot --yes --force     # ...and edited files go too`,
  doctor: `
Examples:
  $ nexus-integrate doctor --target ../nexus
  $ nexus-integrate doctor --json
  $ nexus-integrate doctor --db-url "$(supabase status -o json | jq -r .DB_URL)"   # also the local database`,
  list: `
Examples:
  $ nexus-integrate list
  $ nexus-integrate list --target ../nexus --json`,
  schema: `
Examples:
  $ nexus-integrate schema > nexus-integrate.schema.json
  # then in a spec file: { "$schema": "./nexus-integrate.schema.json", ... }`,
};

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("nexus-integrate")
    .description("Generate a secure OAuth 2.0 integration (React + Vite, Supabase functions and SQL) for a Nexus app.")
    .version(toolVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ nexus-integrate new hubspot --yes --target ../nexus
  $ nexus-integrate list
  $ nexus-integrate new --help`,
    );

  const newCommand = program
    .command("new")
    .description("generate an integration from a preset, a spec file, discovery or flags")
    .argument("[provider]", "a preset name (hubspot) or the id of a new integration (acme)");
  withOutputOptions(withSpecOptions(newCommand))
    .option("--discover <issuer>", "fill endpoints and PKCE from the issuer's OIDC / RFC 8414 metadata")
    .option("--timeout <seconds>", "how long --discover waits for the issuer (default 10)")
    .option("-y, --yes", "never prompt; fail on missing values")
    .option("--dry-run", "show the plan and diffs; write nothing")
    .option("--force", "overwrite files edited since they were generated")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.new)
    .action(async (provider: string | undefined, options: NewOptions, command: Command) => {
      await runWriting(options, async (reporter) => {
        const { runNew } = await import("./commands/new.js");
        return runNew(provider, givenFlags(options, command), isInteractive(options) ? interactionFor(reporter) : undefined);
      });
    });

  const adoptCommand = program
    .command("adopt")
    .description("bring a hand-written playbook integration under management: its files, its users' connections and tokens")
    .argument("<provider>", "the hand-written integration's id (hubspot), a preset name or a new id with --spec");
  withOutputOptions(withSpecOptions(adoptCommand))
    .option("--legacy-integration-id <uuid>", "user_integrations.integration_id of its rows, where its code does not say")
    .option("--db-url <url>", "read the legacy integration_id from this database's user_integrations, where its code does not say")
    .option("--legacy-provider <name>", "oauth_tokens.provider of its rows, where its code does not say (default: the id)")
    .option("-y, --yes", "never prompt; fail on anything unclear")
    .option("--dry-run", "show what was found, the plan and diffs; write nothing")
    .option("--force", "also overwrite other files that stand where generated files go")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.adopt)
    .action(async (provider: string, options: AdoptOptions, command: Command) => {
      await runWriting(options, async (reporter) => {
        const { runAdopt } = await import("./commands/adopt.js");
        return runAdopt(provider, givenFlags(options, command), isInteractive(options) ? interactionFor(reporter) : undefined);
      });
    });

  withOutputOptions(program
    .command("init"))
    .description("detect the app (root, aliases, Supabase client, Card, router) and write nexus-integrate.config.json")
    .option("-t, --target <dir>", "the Nexus app: the app around this folder unless given (alias: --cwd)", ".")
    .option("-y, --yes", "never prompt; fail when something cannot be detected")
    .option("--force", "overwrite an existing nexus-integrate.config.json that differs")
    .option("--dry-run", "show what would be written")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.init)
    .action(async (options: { target: string; yes?: boolean; force?: boolean; dryRun?: boolean; json?: boolean }) => {
      await runWriting(options, async (reporter) => {
        const { runInit } = await import("./commands/init.js");
        const interactive = isInteractive(options);
        return runInit(
          options,
          interactive
            ? {
                async choose(question, candidates) {
                  return (await import("./spec/prompts.js")).chooseValue(question, candidates);
                },
                async ask(question, defaultValue) {
                  return (await import("./spec/prompts.js")).askText(question, defaultValue);
                },
                async confirm(question, findings) {
                  // What init found first, then the question.
                  reporter.data(["", ...(findings.notes ?? []), ""], null);
                  return (await import("./spec/prompts.js")).confirmWrite(question);
                },
              }
            : undefined,
        );
      });
    });

  withOutputOptions(program
    .command("regenerate"))
    .description("re-render installed integrations with the current templates, merging your edits three ways")
    .argument("[provider...]", "integrations to regenerate (ids from the lockfile)")
    .option("-t, --target <dir>", "the Nexus app (alias: --cwd)", ".")
    .option("--all", "every integration in the lockfile")
    .option("--check", "write nothing; exit 1 when a generated file is stale (the CI gate)")
    .option("-y, --yes", "accepted for scripts that pass it everywhere (regenerate never prompts)")
    .option("--dry-run", "show the plan and diffs; write nothing")
    .option("--force", "write conflict markers where your edits overlap template changes")
    .option("--template <set>", "move the integrations to this template set (basic or advanced), merging your edits")
    .option("--templates <dir>", "a team's template folder for this run (overrides nexus-integrate.config.json)")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.regenerate)
    .action(async (ids: string[], options: RegenerateOptions) => {
      await runWriting(options, async () => (await import("./commands/regenerate.js")).runRegenerate(ids, options));
    });

  withOutputOptions(program
    .command("remove"))
    .description("remove an integration: its unedited files, its blocks, and (by a new migration) its tables")
    .argument("<provider>", "the integration id")
    .option("-t, --target <dir>", "the Nexus app (alias: --cwd)", ".")
    .option("--dry-run", "show the plan; write nothing")
    .option("--force", "also remove files you edited")
    .option("-y, --yes", "write the migration that deletes its data without asking (required without a terminal)")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.remove)
    .action(async (id: string, options: RemoveOptions) => {
      await runWriting(options, async (reporter) => {
        const { runRemove } = await import("./commands/remove.js");
        const interaction = isInteractive(options)
          ? {
              async confirmDataLoss(report: RunReport) {
                reporter.preview(report, {});
                reporter.data(["", ...(report.notes ?? []), ""], null);
                return (await import("./spec/prompts.js")).confirmWrite("Write these files and the migration that deletes this data?", false);
              },
            }
          : undefined;
        return runRemove(id, options, interaction);
      });
    });

  program
    .command("list")
    .description("list the presets, and the integrations installed in the target")
    .option("-t, --target <dir>", "the Nexus app whose lockfile to read (alias: --cwd)")
    .option("-q, --quiet", "accepted for symmetry (list prints only the list)")
    .option("-y, --yes", "accepted for scripts that pass it everywhere")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.list)
    .action(async (options: { target?: string; json?: boolean }) => {
      const reporter = await reporterFor(options);
      const { runList, formatList } = await import("./commands/list.js");
      const result = runList(options.target !== undefined ? { target: options.target } : {});
      reporter.data(formatList(result), { command: "list", ok: true, errors: [], ...result });
    });

  withOutputOptions(program
    .command("doctor"))
    .description("check installed integrations: files, staleness, env variables, docs, migrations, leaked secrets")
    .option("-t, --target <dir>", "the Nexus app (alias: --cwd)", ".")
    .option("--db-url <url>", "also check this database: migrations applied, background sync, the health figures, adopted tokens still in plaintext")
    .option("--window <window>", "the health figures' window with --db-url: 24h, 7d or 30d", "24h")
    .option("-y, --yes", "accepted for scripts that pass it everywhere (doctor never prompts)")
    .option("--json", "print one JSON object")
    .addHelpText("after", EXAMPLES.doctor)
    .action(async (options: { target: string; dbUrl?: string; window: string; json?: boolean; quiet?: boolean }) => {
      const reporter = await reporterFor(options);
      const { runDoctor, formatDoctor, checkDatabase, HEALTH_WINDOWS } = await import("./commands/doctor.js");
      const window = HEALTH_WINDOWS.find((w) => w === options.window);
      const { UsageError } = await import("./errors.js");
      if (!window) throw new UsageError("invalid --window", [{ path: "--window", message: `${JSON.stringify(options.window)} must be 24h, 7d or 30d` }]);
      const result = await runDoctor({ target: options.target });
      if (options.dbUrl !== undefined) {
        const database = await checkDatabase(options.target, options.dbUrl, { window });
        result.findings.push(...database.findings);
        if (database.health) result.health = database.health;
        result.ok = result.findings.every((finding) => finding.ok);
      }
      // The envelope's nextSteps: the fix of each failing check, once each.
      const fixes = [...new Set(result.findings.flatMap((finding) => (!finding.ok && finding.fix ? [finding.fix] : [])))];
      reporter.data(formatDoctor(result, { quiet: options.quiet ?? false }), { command: "doctor", errors: [], nextSteps: fixes, ...result });
      process.exitCode = result.ok ? 0 : 1;
    });

  const templates = program
    .command("templates")
    .description("team-owned templates: eject the built-in ones, check yours")
    .addHelpText(
      "after",
      `
Examples:
  $ nexus-integrate templates eject --set basic      # copy the built-in set into .nexus-integrate/templates/
  $ nexus-integrate templates check                  # validate them (CI)
  $ nexus-integrate regenerate --all                 # apply template changes, merging your edits`,
    );
  templates
    .command("eject")
    .description("copy a built-in template set into the target and use it from now on")
    .option("-t, --target <dir>", "the Nexus app (alias: --cwd)", ".")
    .addOption(new Option("--set <set>", "template set").choices(["basic", "advanced"]).default("basic"))
    .option("--dir <dir>", "where to put them, relative to the target", ".nexus-integrate/templates")
    .option("--force", "overwrite templates you already ejected and edited")
    .option("-y, --yes", "accepted for symmetry: eject never prompts")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      `
Examples:
  $ nexus-integrate templates eject                  # → .nexus-integrate/templates/basic/
  $ nexus-integrate templates eject --set advanced --target ../nexus`,
    )
    .action(async (options: { target: string; set?: string; dir?: string; force?: boolean; json?: boolean }) => {
      await runWriting(options, async () => (await import("./commands/templates.js")).runEject(options));
    });
  templates
    .command("check")
    .description("validate a template folder: syntax, unknown helpers and variables, unescaped values, output paths")
    .option("-t, --target <dir>", "the Nexus app (alias: --cwd)", ".")
    .option("--templates <dir>", "the folder to check (default: the config's)")
    .option("-q, --quiet", "print nothing when there is no problem")
    .option("-y, --yes", "accepted for symmetry: check never prompts")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      `
Examples:
  $ nexus-integrate templates check                  # the folder nexus-integrate.config.json names
  $ nexus-integrate templates check --templates ./team-templates`,
    )
    .action(async (options: { target: string; templates?: string; json?: boolean; quiet?: boolean }) => {
      const reporter = await reporterFor(options);
      const { runTemplatesCheck } = await import("./commands/templates.js");
      const result = runTemplatesCheck(options);
      if (result.problems.length > 0) {
        const { UsageError } = await import("./errors.js");
        throw new UsageError(`${result.problems.length} template problem${result.problems.length === 1 ? "" : "s"}`, result.problems);
      }
      reporter.data(
        options.quiet ? [] : [`${result.checked} templates checked${result.templatesDir ? ` (built-in with ${result.templatesDir} laid over them)` : ""}: no problems.`],
        { command: "templates check", ok: true, errors: [], ...result },
      );
    });

  program
    .command("schema")
    .description("print the JSON Schema of spec files (derived from the validation schema)")
    .option("--json", "print one JSON object: { command, ok, errors, schema }")
    .option("-q, --quiet", "accepted for symmetry (schema prints only the schema)")
    .option("-t, --target <dir>", "accepted for symmetry: the schema is the same for every app (alias: --cwd)")
    .option("-y, --yes", "accepted for symmetry: schema never prompts")
    .addHelpText("after", EXAMPLES.schema)
    .action(async (options: { json?: boolean }) => {
      const reporter = await reporterFor(options);
      const { specFileJsonSchema } = await import("./commands/schema.js");
      const schema = specFileJsonSchema();
      reporter.data([JSON.stringify(schema, null, 2)], { command: "schema", ok: true, errors: [], schema });
    });

  return program;
}

function wantsJson(argv: string[]): boolean {
  return argv.includes("--json");
}

/** The command a run of argv names (`new`, `templates check`), for the JSON object; `nexus-integrate` when none. */
function commandName(program: Command, argv: string[]): string {
  const words = argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const command = program.commands.find((c) => c.name() === words[0]);
  if (!command) return "nexus-integrate";
  const sub = command.commands.find((c) => c.name() === words[1]);
  return sub ? `${command.name()} ${sub.name()}` : command.name();
}

/** A usage error commander found (a mistyped flag, a missing argument) as a field issue: the flag or argument. */
function usageIssue(error: CommanderError): { path: string; message: string } {
  const message = error.message.replace(/^error: /, "").trim();
  const path =
    /unknown option '([^']+)'/.exec(message)?.[1] ??
    /option '(?:-[A-Za-z], )?(-[^ ',]+)/.exec(message)?.[1] ??
    /missing required argument '([^']+)'/.exec(message)?.[1] ??
    (/unknown command/.test(message) ? "command" : "arguments");
  return { path, message };
}

/**
 * Spellings other CLIs taught users: `--cwd DIR` (shadcn) for `--target DIR`, `-V` for `-v`. Only before a `--`.
 */
export function normalizeArgv(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return argv.map((arg, i) => {
    if (i < 2 || (end !== -1 && i > end)) return arg;
    if (arg === "--cwd") return "--target";
    if (arg.startsWith("--cwd=")) return `--target=${arg.slice("--cwd=".length)}`;
    if (arg === "-V" && i === 2) return "--version"; // `nexus-integrate -V`, not a value such as `--name -V`
    return arg;
  });
}

export async function main(rawArgv = process.argv): Promise<void> {
  const argv = normalizeArgv(rawArgv);
  // A reader that went away (`nexus-integrate list | head`) ends the output, not with a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  // Exit through process.exit so 'exit' handlers (the run lock's release) run on Ctrl-C and SIGTERM too.
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  const program = buildProgram();
  const json = wantsJson(argv);
  // With --json, commander's own error text is not printed: the error comes as the one JSON object.
  if (json) {
    const quiet = (command: Command): void => {
      command.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
      command.commands.forEach(quiet);
    };
    quiet(program);
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; parse errors (printed by commander, or as JSON) are usage errors.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      if (json && error.exitCode !== 0) {
        const issue = usageIssue(error);
        process.stdout.write(
          `${JSON.stringify({ command: commandName(program, argv), ok: false, files: [], nextSteps: ["run with --help for usage"], error: { code: "usage", message: issue.message }, errors: [issue] })}\n`,
        );
      }
      return;
    }
    const reporter = await reporterFor({ json });
    const { NexusError, fromSystemError } = await import("./errors.js");
    const shown = fromSystemError(error) ?? error;
    reporter.error(shown, commandName(program, argv));
    process.exitCode = shown instanceof NexusError ? shown.exitCode : 1;
  }
}
