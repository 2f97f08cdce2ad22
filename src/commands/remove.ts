import { UsageError } from "../errors.js";
import { applyRun, planRemove, preparePlanning, withRunLock } from "../pipeline.js";
import { readLockfile } from "../plan/lockfile.js";
import type { RunReport } from "../report.js";
import { openApp } from "../repo/target.js";
import { parseRecordedSpec } from "../spec/build.js";
import { unifiedDiffs, type CommandOutcome } from "./new.js";

export interface RemoveOptions {
  target: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * Deletes an integration's generated files (edited ones are kept unless --force), its managed blocks and
 * lockfile entry, and adds a migration that drops only what it created. Shared files go with the last one.
 */
export async function runRemove(id: string, options: RemoveOptions): Promise<CommandOutcome> {
  const target = openApp(options.target);
  const { lock } = readLockfile(target.root);
  const entry = lock?.integrations[id];
  if (!lock || !entry) {
    throw new UsageError("unknown integration", [
      { path: "provider", message: `"${id}" is not installed in ${target.root} (installed: ${Object.keys(lock?.integrations ?? {}).join(", ") || "none"})` },
    ]);
  }
  const spec = parseRecordedSpec(entry.spec, `nexus-integrate.lock.json (${id})`);
  const dryRun = options.dryRun ?? false;
  const body = async (): Promise<CommandOutcome> => {
    await preparePlanning(target);
    const state = planRemove(target, spec, { force: options.force ?? false });
    const report: RunReport = {
      command: "remove",
      target: target.root,
      dryRun,
      integration: { id: spec.id, displayName: spec.displayName, templateSet: entry.templateSet },
      ops: state.plan.ops,
      nextSteps: [
        "Apply the new migration: supabase db push",
        `Delete the deployed functions: supabase functions delete ${id}-exchange-tokens && supabase functions delete ${id}-sync`,
        `Remove the function secrets: supabase secrets unset ${id.replace(/-/g, "_").toUpperCase()}_CLIENT_ID ${id.replace(/-/g, "_").toUpperCase()}_CLIENT_SECRET`,
      ],
    };
    if (dryRun) report.diffs = await unifiedDiffs(state.plan.ops);
    else applyRun(target, state);
    return { report, exitCode: 0 };
  };
  return dryRun ? body() : withRunLock(target, body);
}
