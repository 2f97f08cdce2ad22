import type { ChalkInstance } from "chalk";
import { NexusError, OperationError, UsageError, type FieldIssue } from "./errors.js";
import type { FileAction, FileOp } from "./plan/plan.js";

/**
 * The only code that prints. Human output goes to stdout (errors to stderr); with --json exactly one JSON
 * object goes to stdout and nothing else is printed.
 */

export interface RunReport {
  command: string;
  target: string;
  dryRun: boolean;
  integration?: { id: string; displayName: string; templateSet: string };
  /** The resolved spec (shown before an interactive run writes). */
  spec?: Record<string, unknown>;
  ops: FileOp[];
  nextSteps: string[];
  /** Unified diffs by path (dry runs). */
  diffs?: Record<string, string>;
  /** Set when the run did not complete (conflicts). */
  error?: {
    message: string;
    /** Lines for a person: `path: reason`. */
    files: string[];
    /** The same, for --json: each path with its message (else `files` are taken as paths). */
    issues?: FieldIssue[];
  };
  /** The file list was already shown (interactive preview): print only the summary. */
  listed?: boolean;
  /** One-line notes (for example: nothing to do). */
  notes?: string[];
}

export interface Reporter {
  run(report: RunReport): void;
  /** The spec and file plan shown before an interactive run asks to write. */
  preview(report: RunReport, spec: Record<string, unknown>): void;
  /** An error that ended the run; `command` names it in the JSON object (`new`, `templates check`). */
  error(error: unknown, command?: string): void;
  /** Plain lines (list, schema); in JSON mode, one object. */
  data(human: string[], json: unknown): void;
}

type Paint = (text: string) => string;
interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  magenta: Paint;
  blue: Paint;
}
const plain: Paint = (text) => text;
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, magenta: plain, blue: plain };

/** Colours only for a terminal (and never with NO_COLOR): chalk is loaded only then. */
export async function palette(): Promise<Palette> {
  const wanted = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== "0" : Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  if (!wanted) return PLAIN;
  const chalk: ChalkInstance = (await import("chalk")).default;
  return chalk;
}

function summarizeOps(ops: FileOp[], dryRun: boolean): string {
  const counts = new Map<FileAction, number>();
  for (const op of ops) counts.set(op.action, (counts.get(op.action) ?? 0) + 1);
  const verb: Record<FileAction, string> = dryRun
    ? { create: "to create", update: "to update", merge: "to merge", unchanged: "unchanged", conflict: "in conflict", delete: "to delete", keep: "kept" }
    : { create: "created", update: "updated", merge: "merged", unchanged: "unchanged", conflict: "in conflict", delete: "deleted", keep: "kept" };
  const parts = (["create", "update", "merge", "unchanged", "conflict", "delete", "keep"] as const)
    .filter((action) => counts.has(action))
    .map((action) => `${counts.get(action)} ${verb[action]}`);
  return `${ops.length} file${ops.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** A spec value as a person reads it: lists joined, objects as name=value pairs, odd strings quoted. */
function readable(value: unknown): string {
  if (typeof value === "string") return value.trim() === value && value !== "" ? value : JSON.stringify(value);
  if (Array.isArray(value)) return value.map(readable).join(", ");
  if (value && typeof value === "object") {
    return Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined && !(typeof item === "object" && Object.keys(item).length === 0))
      .map(([name, item]) => `${name}=${readable(item)}`)
      .join(", ");
  }
  return String(value);
}

function issueJson(issues: FieldIssue[]): FieldIssue[] {
  return issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

export interface ReporterOptions {
  json: boolean;
  debug: boolean;
  /** Only what needs the user: errors, conflicts, snippets to paste. */
  quiet?: boolean;
  /** Also the files that did not change (regenerate lists only what differs otherwise). */
  verbose?: boolean;
  /** The diffs of a dry run: every file's (true), one path's, or none (false: the list of files and actions). */
  diff?: boolean | string;
}

export function createReporter(options: ReporterOptions, chalk: Palette = PLAIN): Reporter {
  const ACTION_STYLE: Record<FileAction, Paint> = {
    create: chalk.green,
    update: chalk.yellow,
    merge: chalk.cyan,
    unchanged: chalk.dim,
    conflict: chalk.red,
    delete: chalk.magenta,
    keep: chalk.blue,
  };
  const summarize = (ops: FileOp[], dryRun: boolean) => summarizeOps(ops, dryRun);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const err = (text: string) => process.stderr.write(`${text}\n`);

  return {
    run(report) {
      if (options.json) {
        out(
          JSON.stringify({
            command: report.command,
            ok: report.error === undefined,
            dryRun: report.dryRun,
            target: report.target,
            integration: report.integration ?? null,
            files: report.ops.filter((op) => !op.internal).map((op) => ({
              path: op.path,
              action: op.action,
              ...(op.forced ? { forced: true } : {}),
              ...(op.reason ? { reason: op.reason } : {}),
              ...(op.hunks ? { conflicts: op.hunks } : {}),
              ...(op.snippets ? { snippets: op.snippets } : {}),
              ...(report.diffs?.[op.path] !== undefined ? { diff: report.diffs[op.path] } : {}),
            })),
            nextSteps: report.nextSteps,
            ...(report.notes ? { notes: report.notes } : {}),
            errors: report.error
              ? (report.error.issues ??
                (report.error.files.length > 0
                  ? report.error.files.map((file) => ({ path: file, message: report.error!.message }))
                  : [{ path: "", message: report.error.message }]))
              : [],
          }),
        );
        return;
      }
      const title = report.integration ? `${report.command} ${report.integration.id}` : report.command;
      const quiet = options.quiet ?? false;
      if (!quiet) out(`${chalk.bold(`nexus-integrate ${title}`)}${report.dryRun ? chalk.cyan(" (dry run: nothing written)") : ""} → ${report.target}`);
      const visible = report.ops.filter((op) => !op.internal);
      const width = Math.max(...visible.map((op) => op.action.length), 6);
      // What a person must act on: a snippet to paste, a conflict, a file kept instead of written or deleted.
      const needsYou = (op: FileOp) => Boolean(op.snippets) || op.action === "conflict" || op.action === "keep";
      // Every command lists what changes; the files that did not are a count in the summary (--verbose lists them).
      const listUnchanged = options.verbose ?? false;
      // After an interactive preview, or with --quiet, only what still needs the user: snippets to paste, conflicts.
      const listed = report.listed || quiet ? visible.filter(needsYou) : visible.filter((op) => listUnchanged || op.action !== "unchanged");
      for (const op of listed) {
        const forced = op.forced
          ? chalk.red(op.hunks ? " (forced: written with conflict markers — resolve them)" : " (forced: overwrote local edits)")
          : "";
        const reason = op.reason && !op.forced ? (op.action === "conflict" ? chalk.red(` — ${op.reason}`) : chalk.dim(` — ${op.reason}`)) : "";
        out(`  ${ACTION_STYLE[op.action](op.action.padEnd(width))}  ${op.path}${forced}${reason}`);
        for (const snippet of op.snippets ?? []) {
          for (const line of snippet.split("\n")) out(`      ${chalk.cyan(line)}`);
        }
        if (op.action === "conflict" && op.hunks) {
          for (const hunk of op.hunks) {
            out(chalk.dim("      <<<<<<< your edit"));
            for (const line of hunk.ours.split("\n")) out(`      ${chalk.red(line)}`);
            out(chalk.dim("      ======="));
            for (const line of hunk.theirs.split("\n")) out(`      ${chalk.green(line)}`);
            out(chalk.dim("      >>>>>>> template"));
          }
        }
        const diff = options.diff === true || options.diff === op.path ? report.diffs?.[op.path] : undefined;
        if (diff) {
          for (const line of diff.split("\n")) {
            const styled = line.startsWith("+") ? chalk.green(line) : line.startsWith("-") ? chalk.red(line) : chalk.dim(line);
            out(`      ${styled}`);
          }
        }
      }
      if (!quiet && report.dryRun && report.diffs && Object.keys(report.diffs).length > 0 && !options.diff) {
        out(chalk.dim("  (--diff shows every change; --diff <path> one file's)"));
      }
      if (typeof options.diff === "string" && report.diffs && !listed.some((op) => op.path === options.diff)) {
        err(chalk.yellow(`warning: --diff ${options.diff}: no such file in this plan`));
      }
      if (!quiet) {
        for (const note of report.notes ?? []) out(note);
        // A run that wrote nothing (a dry run, a refusal, a "No" at the prompt) reports a plan: "to create".
        if (visible.length > 0 || !report.notes) out(summarize(visible, report.dryRun || report.error !== undefined));
      }
      if (report.error) {
        err(chalk.red(`error: ${report.error.message}`));
        for (const file of report.error.files) err(`  ${file}`);
        if (report.nextSteps.length > 0) {
          err("");
          err(chalk.bold("What you can do:"));
          report.nextSteps.forEach((step, i) => err(`  ${i + 1}. ${step}`));
        }
        return;
      }
      if (report.nextSteps.length > 0 && !report.dryRun && !quiet) {
        out("");
        out(chalk.bold("Next steps:"));
        report.nextSteps.forEach((step, i) => out(`  ${i + 1}. ${step}`));
      }
    },

    preview(report, spec) {
      const write = (text: string) => process.stdout.write(`${text}\n`);
      write(chalk.bold(`\nnexus-integrate will ${report.command === "remove" ? "remove" : "generate"} ${report.integration?.id ?? ""}:`));
      // One line per field, a nested one by its dotted name (sync.pagination.style), so nothing wraps into a=b, c=d;
      // webhooks only where the set has a receiver (advanced).
      const lines: [string, string][] = [];
      const add = (key: string, value: unknown) => {
        if (value === null || value === undefined || (typeof value === "object" && Object.keys(value).length === 0)) return;
        if (typeof value === "object" && !Array.isArray(value)) {
          for (const [name, item] of Object.entries(value)) add(`${key}.${name}`, item);
        } else lines.push([key, readable(value)]);
      };
      for (const [key, value] of Object.entries(spec)) {
        if (key === "webhooks" && spec.template !== "advanced") continue;
        add(key, value);
      }
      const width = Math.max(24, ...lines.map(([key]) => key.length));
      for (const [key, value] of lines) write(`  ${chalk.dim(key.padEnd(width))} ${value}`);
      write("");
      const visible = report.ops.filter((op) => !op.internal);
      for (const op of visible) write(`  ${ACTION_STYLE[op.action](op.action.padEnd(9))}  ${op.path}`);
      write(summarize(visible, true));
    },

    data(human, json) {
      if (options.json) out(JSON.stringify(json !== null && typeof json === "object" && !Array.isArray(json) ? envelope(json) : json));
      else for (const line of human) out(line);
    },

    error(error, command) {
      const named = command !== undefined ? { command } : {};
      if (error instanceof NexusError) {
        const issues = error instanceof UsageError ? error.issues : [];
        if (options.json) {
          out(
            JSON.stringify({
              ...named,
              ok: false,
              files: [],
              nextSteps: [],
              error: { code: error.code, message: error.message },
              errors: issueJson(issues.length > 0 ? issues : [{ path: error instanceof OperationError ? (error.path ?? "") : "", message: error.message }]),
            }),
          );
        } else {
          err(chalk.red(`error: ${error.message}`));
          for (const issue of issues) err(`  ${issue.path ? `${chalk.bold(issue.path)}: ` : ""}${issue.message}`);
        }
        if (options.debug) err(error.stack ?? "");
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (options.json) {
        out(JSON.stringify({ ...named, ok: false, files: [], nextSteps: [], error: { code: "internal", message }, errors: [{ path: "", message }] }));
      } else {
        err(chalk.red(`error: ${message}`));
        if (!options.debug) err(chalk.dim("(set DEBUG=nexus-integrate for a stack trace)"));
      }
      if (options.debug && error instanceof Error) err(error.stack ?? "");
    },
  };
}

/**
 * Every command's JSON object has the same envelope — command, ok, files, nextSteps, errors — then its own fields
 * (doctor's findings, list's presets, schema's schema). What a command does not set is empty.
 */
function envelope(payload: object): Record<string, unknown> {
  const fields = payload as Record<string, unknown>;
  const errors = Array.isArray(fields.errors) ? fields.errors : [];
  return {
    command: fields.command,
    ok: typeof fields.ok === "boolean" ? fields.ok : errors.length === 0,
    files: Array.isArray(fields.files) ? fields.files : [],
    nextSteps: Array.isArray(fields.nextSteps) ? fields.nextSteps : [],
    errors,
    ...fields,
  };
}

/**
 * A status line for a slow step (`--discover`), on stderr and only at a terminal: a spinner with the text until
 * `stop()` clears it. Nothing is printed otherwise (pipes, CI, --json).
 */
export function statusLine(text: string, options: { json: boolean }): { stop(): void } {
  if (options.json || !process.stderr.isTTY) return { stop() {} };
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let frame = 0;
  const draw = () => process.stderr.write(`\r${frames[frame++ % frames.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write(`\r${" ".repeat(text.length + 2)}\r`);
    },
  };
}
