import { UsageError } from "../errors.js";
import { applyRun, planRun, preparePlanning, withRunLock } from "../pipeline.js";
import type { FileOp } from "../plan/plan.js";
import { readLockfile } from "../plan/lockfile.js";
import type { RunReport } from "../report.js";
import { openApp } from "../repo/target.js";
import { TEMPLATE_SETS, type IntegrationSpec } from "../spec/schema.js";
import { currentSpec, formatSpecChange } from "../spec/source.js";
import { conflictOutcome, unifiedDiffs, type CommandOutcome } from "./new.js";

export interface RegenerateOptions {
  target: string;
  all?: boolean;
  check?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  templates?: string;
  /** Move the selected integrations to this template set (`basic`, `advanced`), merging edits three ways. */
  template?: string;
}

/** What `--check` calls stale: anything regenerate would write or could not merge (user edits alone are not). */
export function staleOps(ops: FileOp[]): FileOp[] {
  return ops.filter((op) => !op.internal && op.action !== "unchanged" && op.action !== "keep");
}

/**
 * Re-renders installed integrations from the specs recorded in the lockfile with the current templates,
 * merging three ways with the merge bases in .nexus-integrate/base/.
 */
export async function runRegenerate(ids: string[], options: RegenerateOptions): Promise<CommandOutcome> {
  const target = openApp(options.target);
  const { lock } = readLockfile(target.root);
  const check = options.check ?? false;
  if ((!lock || Object.keys(lock.integrations).length === 0) && ids.length === 0) {
    // A CI gate added before the first `new` is green: there is nothing that could be stale.
    const report: RunReport = {
      command: check ? "regenerate --check" : "regenerate",
      target: target.root,
      dryRun: true,
      ops: [],
      nextSteps: [],
      notes: ["No integrations generated yet (nexus-integrate.lock.json lists none): nothing to regenerate."],
    };
    return { report, exitCode: 0 };
  }
  if (!lock) {
    throw new UsageError("nothing to regenerate", [
      { path: "provider", message: `${ids.join(", ")}: no integration is installed (run \`nexus-integrate new\` first)` },
    ]);
  }
  if (ids.length === 0 && !options.all) {
    throw new UsageError("say which integrations to regenerate", [
      { path: "provider", message: `name one or more of ${Object.keys(lock.integrations).join(", ")}, or use --all` },
    ]);
  }
  const selected = options.all ? Object.keys(lock.integrations).sort() : ids;
  const unknown = selected.filter((id) => !lock.integrations[id]);
  if (unknown.length > 0) {
    throw new UsageError("unknown integration", unknown.map((id) => ({ path: "provider", message: `"${id}" is not installed (installed: ${Object.keys(lock.integrations).join(", ")})` })));
  }
  // Each integration's spec now: its preset resolved again from this version's catalog, the user's values over it.
  const recorded = selected.map((id) => ({ id, ...currentSpec(id, lock.integrations[id]!) }));
  if (options.template !== undefined && !(TEMPLATE_SETS as readonly string[]).includes(options.template)) {
    throw new UsageError("invalid --template", [{ path: "--template", message: `"${options.template}" must be one of ${TEMPLATE_SETS.join(", ")}` }]);
  }
  // --template moves each selected integration to that set: its spec and the recorded choice (the next regenerate keeps it).
  const current = recorded.map((c) =>
    options.template === undefined
      ? c
      : {
          ...c,
          spec: { ...c.spec, template: options.template as IntegrationSpec["template"] },
          ...(c.source ? { source: { ...c.source, overrides: { ...c.source.overrides, template: options.template } } } : {}),
        },
  );
  const specs = current.map((c) => c.spec);
  const sources = Object.fromEntries(current.map((c) => [c.id, c.source]));
  const changeIssues = current.flatMap((c) => c.changes.map((change) => ({ path: `${c.id}.${change.path}`, message: formatSpecChange(c.id, change) })));
  const presetChanges = changeIssues.map((issue) => issue.message);
  const presetNotes = [
    ...current.flatMap((c) => (c.note ? [c.note] : [])),
    ...(presetChanges.length > 0 ? [`Preset changes since the integration was generated (your own values are kept):`, ...presetChanges.map((line) => `  ${line}`)] : []),
  ];
  const dryRun = (options.dryRun ?? false) || check;

  const body = async (): Promise<CommandOutcome> => {
    await preparePlanning(target);
    const state = planRun(target, specs, {
      mode: "regenerate",
      force: options.force ?? false,
      sources,
      ...(options.templates !== undefined ? { templatesDir: options.templates } : {}),
    });
    const { plan } = state;
    const report: RunReport = {
      command: check ? "regenerate --check" : "regenerate",
      target: target.root,
      dryRun,
      ops: plan.ops,
      nextSteps: [],
      ...(presetNotes.length > 0 ? { notes: presetNotes } : {}),
    };
    if (options.dryRun) report.diffs = await unifiedDiffs(plan.ops);
    if (check) {
      const stale = staleOps(plan.ops);
      if (stale.length > 0 || presetChanges.length > 0) {
        const what = [
          ...(presetChanges.length > 0 ? [`${presetChanges.length} preset change${presetChanges.length === 1 ? "" : "s"}`] : []),
          ...(stale.length > 0 ? [`${stale.length} generated file${stale.length === 1 ? "" : "s"}`] : []),
        ];
        report.error = {
          message: `stale: ${what.join(" and ")} not applied yet: run \`nexus-integrate regenerate ${options.all ? "--all" : selected.join(" ")}\``,
          files: [...presetChanges, ...stale.map((op) => `${op.path}: ${op.action}${op.reason ? ` (${op.reason})` : ""}`)],
          issues: [
            ...changeIssues,
            ...stale.map((op) => ({ path: op.path, message: `${op.action}${op.reason ? ` (${op.reason})` : ""}` })),
          ],
        };
        return { report, exitCode: 1 };
      }
      return { report, exitCode: 0 };
    }
    if (plan.conflicts.length > 0) {
      return conflictOutcome(
        report,
        plan.conflicts,
        "your edits overlap template changes; nothing was written",
        [
          `nexus-integrate regenerate ${options.all ? "--all" : selected.join(" ")}${options.target !== "." ? ` --target ${options.target}` : ""} --force writes the merge into ${plan.conflicts.map((op) => op.path).join(", ")}, with git-style markers (<<<<<<< your edit / ======= / >>>>>>> template) around each overlap shown above; keep what you want, delete the markers, and \`regenerate --check\` and \`doctor\` pass again.`,
          "Or give up your edit in the overlapping lines (make them read as the template's side above): the next regenerate then merges cleanly.",
        ],
      );
    }
    if (!dryRun) report.notes = [...(report.notes ?? []), ...(await applyRun(target, state))];
    return { report, exitCode: 0 };
  };
  return dryRun ? body() : withRunLock(target, body);
}
