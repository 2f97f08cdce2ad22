import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError, type FieldIssue } from "../errors.js";
import { toolVersion } from "../package-root.js";
import { planRun, preparePlanning, withRunLock } from "../pipeline.js";
import { readLockfile } from "../plan/lockfile.js";
import { migrationFiles } from "../plan/migrations.js";
import type { RunReport } from "../report.js";
import { buildIntegrationContext, type AdoptionContext } from "../render/context.js";
import { checkAppImports } from "../repo/app-imports.js";
import { detectedConfigNote, readRepoConfig, type RepoConfig } from "../repo/config.js";
import { readHandWrittenConfig, type HandWrittenConfig } from "../repo/hand-written.js";
import { findHandWrittenIntegrations } from "../repo/playbook.js";
import { leakedViteSecrets, routesCallback } from "../repo/app-checks.js";
import { openApp, resolveInside, type Target } from "../repo/target.js";
import { finalizeSpec, mergeSources, mergeSpecLayers, selectedPreset } from "../spec/build.js";
import { addedValues, retiredNote, specSource, withoutRetired } from "../spec/source.js";
import { assertRequiredVariables, hasPreset, loadPreset } from "../spec/presets.js";
import type { IntegrationSpec, IntegrationSpecInput } from "../spec/schema.js";
import { readSpecFile } from "../spec/spec-file.js";
import {
  chooseAmongDetected,
  confirmAndApply,
  conflictOutcome,
  flagsToSpecInput,
  nextSteps,
  parsePairs,
  unifiedDiffs,
  type CommandOutcome,
  type Interaction,
  type NewOptions,
} from "./new.js";

export interface AdoptOptions extends NewOptions {
  /** `user_integrations.integration_id` of the hand-written integration's rows, when its code does not say. */
  legacyIntegrationId?: string;
  /** Read the legacy integration_id from this database (its user_integrations rows of the provider), where the code does not say. */
  dbUrl?: string;
  /** `oauth_tokens.provider` of its rows, when its code does not say (default: the id). */
  legacyProvider?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether the app has `public.<table>` (the playbook's tables are the app's own): one of its migrations creates
 * it, or the hand-written code queries it (a table made in the dashboard has no migration). When the code is
 * wrong about it, the adoption migration fails loudly at `supabase db push` instead of stranding users.
 */
function appHasTable(target: Target, config: RepoConfig, handWritten: string[], table: string): boolean {
  const dir = resolveInside(target, config.paths.migrations);
  const created = new RegExp(`create\\s+table\\s+(if\\s+not\\s+exists\\s+)?("?public"?\\.)?"?${table}"?\\s*\\(`, "i");
  const queried = new RegExp(`\\.from\\(\\s*["'\`]${table}["'\`]`);
  return (
    migrationFiles(dir).some((name) => created.test(readFileSync(path.join(dir, name), "utf8"))) ||
    handWritten.some((file) => queried.test(readFileSync(resolveInside(target, file), "utf8")))
  );
}

/** What the hand-written files configure, as spec input (only what they say). */
function readSpecInput(read: HandWrittenConfig, base: IntegrationSpecInput): IntegrationSpecInput {
  const input: IntegrationSpecInput = {};
  if (read.scopes) input.scopes = read.scopes.value;
  if (read.authorizationUrl) input.authorizationUrl = read.authorizationUrl.value;
  if (read.tokenUrl) input.tokenUrl = read.tokenUrl.value;
  if (read.userinfoUrl) input.userinfoUrl = read.userinfoUrl.value;
  if (read.dataEndpoint) {
    const endpoint = read.dataEndpoint.value;
    const apiBase = typeof base.apiBaseUrl === "string" ? base.apiBaseUrl.replace(/\/$/, "") : undefined;
    if (apiBase !== undefined && endpoint.startsWith(`${apiBase}/`)) {
      input.sync = { path: endpoint.slice(apiBase.length) } as IntegrationSpec["sync"];
    } else {
      const url = new URL(endpoint);
      input.apiBaseUrl = url.origin;
      input.sync = { path: `${url.pathname}${url.search}` } as IntegrationSpec["sync"];
    }
  }
  return input;
}

const READ_FIELDS = [
  ["scopes", "scopes"],
  ["authorizationUrl", "authorizationUrl"],
  ["tokenUrl", "tokenUrl"],
  ["userinfoUrl", "userinfoUrl"],
  ["dataEndpoint", "sync.path"],
] as const;

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(" ") : String(value);
}

/** Lines that show each value read from the hand-written files, where from, and the preset's where it differs. */
function readNotes(
  read: HandWrittenConfig,
  spec: IntegrationSpec,
  preset: IntegrationSpecInput | undefined,
  flags: IntegrationSpecInput,
  retired: ReadonlySet<string>,
): string[] {
  const notes: string[] = [];
  for (const [field, specField] of READ_FIELDS) {
    const found = read[field];
    if (!found || retired.has(specField)) continue;
    const used = specField === "sync.path" ? `${spec.apiBaseUrl}${spec.sync.path}` : show(spec[specField]);
    const presetValue =
      preset === undefined ? undefined : specField === "sync.path" ? (preset.sync?.path !== undefined ? `${preset.apiBaseUrl}${preset.sync.path}` : undefined) : preset[specField];
    const overridden = (specField === "sync.path" ? flags.sync?.path : flags[specField]) !== undefined;
    notes.push(
      `  ${specField}: ${used}  (${overridden ? "from your flag" : `read from ${found.from}`}` +
        (presetValue !== undefined && show(presetValue) !== used ? `; the preset has ${show(presetValue)}` : "") +
        ")",
    );
  }
  return notes.length > 0 ? ["Values the hand-written integration configures (they win over the preset's):", ...notes] : [];
}

/** Every file in `folder` (recursively), relative to the app root. */
function filesBelow(root: string, folder: string): string[] {
  const absolute = path.join(root, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

/**
 * Brings a hand-written playbook integration under management: its files are replaced by generated ones (the
 * values it configures carried over), its users' connections and tokens move to the generated storage by an
 * adoption migration (no one reconnects), and what it leaked is reported with the fix. Nothing is written
 * while anything is unclear; a second `adopt` of the same integration changes nothing.
 */
export async function runAdopt(provider: string, options: AdoptOptions, interaction?: Interaction): Promise<CommandOutcome> {
  const target = openApp(options.target);
  await chooseAmongDetected(target.root, interaction);
  const config = readRepoConfig(target.root);
  const specFile = options.spec !== undefined ? await readSpecFile(options.spec) : undefined;
  const sources = {
    positional: provider,
    ...(options.preset !== undefined ? { preset: options.preset } : {}),
    ...(options.var !== undefined ? { presetVars: parsePairs(options.var, "--var") } : {}),
    ...(specFile !== undefined ? { specFile } : {}),
  };
  const presetName = selectedPreset(sources);
  if (presetName !== undefined && hasPreset(presetName)) assertRequiredVariables(presetName, sources.presetVars ?? {});
  const flags = flagsToSpecInput(options);
  const withoutFiles = mergeSources({ ...sources, flags });
  const id = withoutFiles.id!;
  const dryRun = options.dryRun ?? false;
  const baseReport = (ops: RunReport["ops"], notes: string[]): RunReport => ({ command: "adopt", target: target.root, dryRun, ops, nextSteps: [], notes });

  const { lock } = readLockfile(target.root);
  if (lock?.integrations[id]) {
    return { report: baseReport([], [`${id} is managed by nexus-integrate already: nothing to adopt (nexus-integrate regenerate ${id} updates it).`]), exitCode: 0 };
  }
  const found = findHandWrittenIntegrations(target.root, config, lock).find((integration) => integration.id === id);
  if (!found) {
    throw new UsageError(`no hand-written ${id} integration to adopt`, [
      {
        path: "provider",
        message: `${config.paths.functions}/${id}-exchange-tokens/index.ts (the playbook's token-exchange function) does not exist or was written by nexus-integrate: to generate a new integration, run \`nexus-integrate new ${id}\``,
      },
    ]);
  }

  const read = readHandWrittenConfig(target.root, found.files);
  const preset = presetName !== undefined ? loadPreset(presetName, sources.presetVars) : undefined;
  const readFromFiles = readSpecInput(read, mergeSpecLayers(preset, specFile, flags));
  // A hand-written value the provider has retired (HubSpot's v1 token endpoint) gives way to the preset's.
  const retired = presetName !== undefined ? withoutRetired(presetName, readFromFiles) : { kept: readFromFiles, dropped: [] };
  const fromFiles = retired.kept as IntegrationSpecInput;
  let input = mergeSources({ ...sources, flags: mergeSpecLayers(fromFiles, flags) });
  const prompted = interaction ? addedValues(input, await interaction.promptForMissing(input)) : undefined;
  if (prompted) input = { ...input, ...prompted };
  const spec = finalizeSpec(input);
  // What the hand-written files say the way the preset says it is not pinned: a later preset fix reaches it.
  const fromFilesOwn = preset ? addedValues(preset as IntegrationSpecInput, fromFiles) : fromFiles;
  const source = specSource(presetName, sources.presetVars, spec.id, specFile, fromFilesOwn, flags, prompted);

  const unclear: FieldIssue[] = read.unclear.filter((issue) => {
    const flag = /pass (--[a-z-]+)/.exec(issue.message)?.[1];
    const answered: Record<string, unknown> = {
      "--scopes": options.scopes,
      "--auth-url": options.authUrl,
      "--token-url": options.tokenUrl,
      "--userinfo-url": options.userinfoUrl,
      "--sync-path": options.syncPath,
      "--legacy-integration-id": options.legacyIntegrationId,
      "--legacy-provider": options.legacyProvider,
    };
    return flag === undefined || answered[flag] === undefined;
  });
  const userIntegrations = appHasTable(target, config, found.files, "user_integrations");
  const oauthTokens = appHasTable(target, config, found.files, "oauth_tokens");
  let legacyIntegrationId = options.legacyIntegrationId ?? read.legacyIntegrationId?.value ?? null;
  if (options.legacyIntegrationId !== undefined && !UUID.test(options.legacyIntegrationId)) {
    unclear.push({ path: "--legacy-integration-id", message: `"${options.legacyIntegrationId}" is not a uuid` });
  }
  // With the id known, the code's integration_name (which may disagree in case or wording) does not matter.
  if (legacyIntegrationId !== null) {
    for (let i = unclear.length - 1; i >= 0; i--) if (unclear[i]!.message.includes("legacyIntegrationName")) unclear.splice(i, 1);
  }
  let legacyIntegrationName: string | null = null;
  // Unclear about the id alone (computed, or nowhere in the code): the rows are told apart another way.
  const dropIdIssues = () => {
    for (let i = unclear.length - 1; i >= 0; i--) if (unclear[i]!.message.includes("so legacyIntegrationId cannot be read")) unclear.splice(i, 1);
  };
  if (userIntegrations && legacyIntegrationId === null && options.legacyIntegrationId === undefined) {
    if (read.legacyIntegrationName) {
      // The code writes or filters its rows by integration_name: that tells them apart.
      legacyIntegrationName = read.legacyIntegrationName.value;
      dropIdIssues();
    } else if (options.dbUrl !== undefined) {
      const lookup = await legacyIdFromDatabase(options.dbUrl, spec);
      if ("id" in lookup) {
        legacyIntegrationId = lookup.id;
        dropIdIssues();
      } else unclear.push({ path: "--db-url", message: lookup.problem });
    } else if (interaction?.askLegacyIntegrationId) {
      legacyIntegrationId = await interaction.askLegacyIntegrationId(`user_integrations.integration_id of the ${spec.displayName} rows (the hand-written code does not say it)`);
      dropIdIssues();
    } else if (unclear.some((i) => i.message.includes("so legacyIntegrationId cannot be read"))) {
      for (const issue of unclear) {
        if (issue.message.includes("so legacyIntegrationId cannot be read")) issue.message += ", or pass --db-url <url> to read it from the database, or run adopt in a terminal to type it";
      }
    } else if (!unclear.some((i) => i.message.includes("--legacy-integration-id"))) {
      unclear.push({
        path: "--legacy-integration-id",
        message: `the app's user_integrations rows of ${id} are told apart by their integration_id, which the hand-written code does not say (as a <NAME>_INTEGRATION_ID constant, an inline integration_id, or an integration_name it writes or filters by): pass it, or pass --db-url <url> to read it from the database, or run adopt in a terminal to type it`,
      });
    }
  }
  if (unclear.length > 0) {
    throw new UsageError(`adopt cannot read everything the hand-written ${id} integration configures; nothing was written`, unclear);
  }
  const legacyProvider = options.legacyProvider ?? read.legacyProvider?.value ?? id;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(legacyProvider)) {
    unclear.push({
      path: options.legacyProvider !== undefined ? "--legacy-provider" : read.legacyProvider!.from,
      message: `"${legacyProvider}" is not a provider name adopt moves tokens for (letters, digits, _ . : -)`,
    });
  }
  if (unclear.length > 0) {
    throw new UsageError(`adopt cannot read everything the hand-written ${id} integration configures; nothing was written`, unclear);
  }
  const adoption: AdoptionContext = {
    legacyIntegrationId,
    legacyIntegrationName,
    legacyProvider,
    userIntegrations,
    oauthTokens,
  };

  const importProblems = checkAppImports(target.root, config);
  if (importProblems.length > 0) {
    throw new UsageError("the generated code would import modules the app does not have; nothing was written", importProblems);
  }

  // The hand-written files, and everything else in its own folders (a function's deno.json, say).
  const ownFolders = [`${config.paths.functions}/${id}-exchange-tokens`, `${config.paths.functions}/${id}-sync`, `${config.paths.services}/${id}`];
  const candidates = [...new Set([...found.files, ...ownFolders.flatMap((folder) => filesBelow(target.root, folder))])].sort();

  const body = async (): Promise<CommandOutcome> => {
    await preparePlanning(target);
    const state = planRun(target, [spec], {
      mode: "new",
      sources: { [spec.id]: source },
      force: options.force ?? false,
      adoption: { context: adoption, replace: new Set(candidates) },
      ...(options.templates !== undefined ? { templatesDir: options.templates } : {}),
    });
    const { plan } = state;
    const written = new Set(plan.ops.map((op) => op.path));
    const unmapped = candidates.filter((file) => !written.has(file));
    const ctx = buildIntegrationContext(spec, config, toolVersion());
    const routed = routesCallback(target.root, config, ctx);
    const ops = routed ? plan.ops.filter((op) => !(op.path === config.paths.router && op.snippets)) : plan.ops;
    // The integration's own leaked secrets (the others are doctor's to report).
    const leaks = leakedViteSecrets(target.root).filter(({ variable }) => variable.startsWith(`VITE_${ctx.names.constant}_`));
    const report: RunReport = {
      ...baseReport(ops, [
        `Adopting the hand-written ${spec.displayName} integration: ${found.files.join(", ")}.`,
        ...readNotes(read, spec, preset, flags, new Set(retired.dropped.map((d) => d.field))),
        ...retiredNote(spec.id, presetName ?? "", retired.dropped),
        ...(unmapped.length > 0
          ? [`Left in place (nexus-integrate does not generate them; delete them when nothing uses them): ${unmapped.join(", ")}`]
          : []),
        ...(routed ? [`${config.paths.router} already routes ${ctx.routes.callback} to the same components: nothing to paste there.`] : []),
        ...[detectedConfigNote(config)].filter((note): note is string => note !== null),
      ]),
      integration: { id: spec.id, displayName: spec.displayName, templateSet: spec.template },
      spec: spec as unknown as Record<string, unknown>,
      nextSteps: [
        ...leaks.flatMap(({ file, variable }) => [
          `Delete ${variable} from ${file} (and from every other .env file, your CI and your hosting settings): Vite put it in the JavaScript every browser downloads.`,
        ]),
        ...(leaks.length > 0
          ? [
              `Rotate the client secret in your ${spec.displayName} app settings: it was public, so moving it is not enough. Then set the new one for the functions only: supabase secrets set ${ctx.env.clientSecret}=<the new secret>`,
            ]
          : []),
        ...nextSteps(spec, state.config, ops).filter((step) => !step.startsWith("Apply and deploy")),
        `Apply the migrations and deploy the functions together: supabase db push && supabase functions deploy ${ctx.fn.exchange} ${ctx.fn.sync} (the adoption migration moves the tokens the hand-written functions read). Each user's tokens are encrypted on their next sync; \`nexus-integrate doctor --db-url …\` counts those still waiting.`,
        ...(userIntegrations
          ? [`Pages that read public.user_integrations for ${spec.displayName} should read public.nexus_user_integrations (the generated components do); the old rows stay, without tokens.`]
          : []),
      ],
    };
    if (dryRun) report.diffs = await unifiedDiffs(ops);
    if (plan.conflicts.length > 0) {
      return conflictOutcome(report, plan.conflicts, "files that are not the hand-written integration's stand where generated files go; nothing was written", [
        "Move them, or set \"paths\" in nexus-integrate.config.json, then run adopt again.",
        `Last resort: --force overwrites them and the code in them is lost.`,
      ]);
    }
    return confirmAndApply(target, state, report, interaction);
  };
  return dryRun ? body() : withRunLock(target, body);
}

/**
 * The integration_id of the app's user_integrations rows of this provider, read from its database: the distinct
 * (integration_id, integration_name) pairs whose name is the provider's display name or id (case and spacing
 * aside). Exactly one must match; otherwise the problem names what was found.
 */
async function legacyIdFromDatabase(dbUrl: string, spec: IntegrationSpec): Promise<{ id: string } | { problem: string }> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(dbUrl, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    const rows = await sql<{ integration_id: string; integration_name: string; rows: number }[]>`
      select integration_id::text as integration_id, integration_name::text as integration_name, count(*)::int as rows
      from public.user_integrations group by 1, 2 order by 1, 2`;
    const squash = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, "");
    const wanted = new Set([squash(spec.displayName), squash(spec.id)]);
    const matching = [...new Set(rows.filter((row) => wanted.has(squash(row.integration_name))).map((row) => row.integration_id))];
    if (matching.length === 1 && UUID.test(matching[0]!)) return { id: matching[0]! };
    const seen = rows.map((row) => `${row.integration_name} (${row.integration_id}, ${row.rows} rows)`).join(", ") || "no rows";
    return {
      problem: `${matching.length === 0 ? `no user_integrations rows are named ${spec.displayName}` : `several integration_ids are named ${spec.displayName}`} (found: ${seen}): pass --legacy-integration-id`,
    };
  } catch (error) {
    return { problem: `could not read public.user_integrations there: ${(error as Error).message}` };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
