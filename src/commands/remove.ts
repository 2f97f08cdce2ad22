import { UsageError } from "../errors.js";
import { applyRun, planRemove, preparePlanning, withRunLock } from "../pipeline.js";
import { readLockfile } from "../plan/lockfile.js";
import type { RunReport } from "../report.js";
import { openApp } from "../repo/target.js";
import { parseRecordedSpec } from "../spec/build.js";
import { toolVersion } from "../package-root.js";
import { buildIntegrationContext, type IntegrationContext } from "../render/context.js";
import { unifiedDiffs, type CommandOutcome } from "./new.js";

export interface RemoveOptions {
  target: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  /** Write the migration that deletes the integration's data without asking. */
  yes?: boolean;
}

/** How remove asks a person at a terminal before it writes a migration that deletes data. */
export interface RemoveInteraction {
  /** report.notes name the data the migration deletes. */
  confirmDataLoss(report: RunReport): Promise<boolean>;
}

/**
 * What the removal migration (templates/basic/removal) deletes, one line each, for the confirmation and the
 * refusal. Deleting the catalog row cascades to every table that references nexus_integrate.integrations.
 */
export function dataRemovedBy(ctx: IntegrationContext, templateSet: string, adopted: boolean): string[] {
  const { spec } = ctx;
  const lines = [
    `every user's ${spec.displayName} connection (public.nexus_user_integrations where integration_id = '${spec.id}'), with its encrypted tokens, unfinished sign-ins, sync jobs (dead letters too) and events, deleted with the catalog row nexus_integrate.integrations '${spec.id}'`,
    `the synced records: table public.${ctx.tables.records} is dropped`,
  ];
  if (adopted) lines.push(`the playbook tokens kept for its users in nexus_integrate.legacy_tokens (provider '${spec.id}')`);
  if (hasReceiver(ctx, templateSet)) lines.push(`the webhook deliveries: table nexus_integrate.${ctx.tables.webhookEvents} is dropped`);
  lines.push(`its Supabase Cron schedule (nexus_integrate.unschedule_sync('${spec.id}'))`);
  return lines;
}

/** The advanced set generates a webhook receiver for a provider that signs its webhooks. */
function hasReceiver(ctx: IntegrationContext, templateSet: string): boolean {
  return templateSet === "advanced" && ctx.webhook !== null;
}

/**
 * Deletes an integration's generated files (edited ones are kept unless --force), its managed blocks and
 * lockfile entry, and adds a migration that drops only what it created. Shared files go with the last one.
 */
export async function runRemove(id: string, options: RemoveOptions, interaction?: RemoveInteraction): Promise<CommandOutcome> {
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
    const ctx = buildIntegrationContext(spec, state.config, toolVersion());
    const functions = [ctx.fn.exchange, ctx.fn.sync, ...(hasReceiver(ctx, entry.templateSet) ? [ctx.fn.webhooks] : [])];
    const report: RunReport = {
      command: "remove",
      target: target.root,
      dryRun,
      integration: { id: spec.id, displayName: spec.displayName, templateSet: entry.templateSet },
      ops: state.plan.ops,
      nextSteps: [
        "Apply the new migration: supabase db push",
        `Delete the deployed functions: ${functions.map((fn) => `supabase functions delete ${fn}`).join(" && ")}`,
        `Remove the function secrets: supabase secrets unset ${ctx.env.clientId} ${ctx.env.clientSecret}`,
      ],
    };
    const deletes = dataRemovedBy(ctx, entry.templateSet, entry.adopted !== undefined);
    const deleting = `The new migration ${dryRun ? "would delete" : "deletes"} data once applied (supabase db push):`;
    report.notes = [deleting, ...deletes.map((line) => `  - ${line}`)];
    if (dryRun) {
      report.diffs = await unifiedDiffs(state.plan.ops);
      return { report, exitCode: 0 };
    }
    if (!options.yes) {
      if (!interaction) {
        throw new UsageError(`remove ${id} writes a migration that deletes data; nothing was written. Pass --yes to write it, or --dry-run to see the plan`, [
          ...deletes.map((line) => ({ path: "data", message: line })),
          { path: "--yes", message: "required without a terminal: remove asks before it writes a migration that deletes data" },
        ]);
      }
      if (!(await interaction.confirmDataLoss(report))) {
        report.listed = true;
        report.notes = undefined;
        report.error = { message: "not confirmed; nothing was written", files: [] };
        report.nextSteps = [`Run \`nexus-integrate remove ${id}\` again and answer yes (or pass --yes) to write the migration.`];
        return { report, exitCode: 1 };
      }
    }
    report.notes = [...(report.notes ?? []), ...(await applyRun(target, state))];
    return { report, exitCode: 0 };
  };
  return dryRun ? body() : withRunLock(target, body);
}
