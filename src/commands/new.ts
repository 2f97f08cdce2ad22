import path from "node:path";
import { ConflictError, UsageError } from "../errors.js";
import { applyRun, planRun, preparePlanning, withRunLock, type PipelineState } from "../pipeline.js";
import type { FileOp } from "../plan/plan.js";
import type { RunReport } from "../report.js";
import { buildIntegrationContext } from "../render/context.js";
import { openApp, type Target } from "../repo/target.js";
import { finalizeSpec, mergeSources, mergeSpecLayers, offlineConsentAdded, selectedPreset, withOfflineConsent } from "../spec/build.js";
import type { IntegrationSpec, IntegrationSpecInput } from "../spec/schema.js";
import { assertRequiredVariables, closestPreset, hasPreset, loadPreset, presetsStartingWith, presetVariables } from "../spec/presets.js";
import { addedValues, specSource } from "../spec/source.js";
import { readSpecFile } from "../spec/spec-file.js";
import { toolVersion } from "../package-root.js";
import { NO_ROUTER, usesFileRoutes } from "../repo/tanstack.js";
import { checkAppImports } from "../repo/app-imports.js";
import { ambiguousDetection, chooseDetected, CONFIG_FILE, detectedConfigNote, healthPagePath, readConfigFile, type RepoConfig } from "../repo/config.js";
import { handWrittenFiles } from "../repo/playbook.js";

export interface NewOptions {
  target: string;
  spec?: string;
  preset?: string;
  name?: string;
  pascalName?: string;
  authUrl?: string;
  tokenUrl?: string;
  userinfoUrl?: string;
  issuer?: string;
  revocationUrl?: string;
  apiBaseUrl?: string;
  scopes?: string;
  scopeSeparator?: string;
  authParam?: string[];
  var?: string[];
  pkce?: boolean;
  tokenAuthMethod?: string;
  syncPath?: string;
  itemsField?: string;
  idField?: string;
  /** How often Cron syncs each connection: "30s", "15m", "1h", "1d" or seconds. */
  syncFrequency?: string;
  template?: string;
  templates?: string;
  discover?: string;
  /** Seconds `--discover` waits for the issuer. */
  timeout?: string;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

/** Interaction the CLI supplies when a person is at the terminal (never with --yes or without a TTY). */
export interface Interaction {
  /** `new` without a provider: a preset from the catalog, or null for another provider (then its id is asked). */
  choosePreset?(): Promise<string | null>;
  /** A name one typo from a preset: use the preset? */
  confirmSuggestion?(question: string): Promise<boolean>;
  /** A preset's variables not given with --var, each with its default. */
  promptForVariables?(preset: string, given: Record<string, string>): Promise<Record<string, string>>;
  /** Fills missing fields by asking. */
  promptForMissing(input: IntegrationSpecInput): Promise<IntegrationSpecInput>;
  /** Shows the plan and asks before writing. */
  confirmPlan(report: RunReport): Promise<boolean>;
  /** Without a config: picks one of several detected candidates for a setting (this run only). */
  chooseDetected?(question: string, candidates: string[]): Promise<string>;
  /** `adopt`: the legacy integration_id the hand-written code does not say (a uuid, checked while typed). */
  askLegacyIntegrationId?(question: string): Promise<string>;
}

export interface CommandOutcome {
  report: RunReport;
  exitCode: number;
}

const SEPARATOR_WORDS: Record<string, string> = { space: " ", " ": " ", comma: ",", ",": "," };

export function parsePairs(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid ${flag}`, [{ path: flag, message: `"${pair}" must be written as name=value` }]);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const FREQUENCY_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `--sync-frequency`: "30s", "15m", "1h", "1d" or a number of seconds (the schema checks the range). */
export function parseFrequency(value: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(value);
  if (!match) {
    throw new UsageError("invalid --sync-frequency", [
      { path: "--sync-frequency", message: `"${value}" must be a duration such as 30s, 15m, 1h or 1d (or seconds)` },
    ]);
  }
  return Number(match[1]) * FREQUENCY_UNITS[(match[2] || "s").toLowerCase()]!;
}

/** A frequency as a person reads it: 900 → "15 minutes". */
export function formatFrequency(seconds: number): string {
  for (const [unit, size] of [["day", 86_400], ["hour", 3600], ["minute", 60]] as const) {
    if (seconds % size === 0 && seconds >= size) return `${seconds / size} ${unit}${seconds === size ? "" : "s"}`;
  }
  return `${seconds} seconds`;
}

/** Turns flag values into a partial spec input; only flags the user gave appear. */
export function flagsToSpecInput(options: NewOptions): IntegrationSpecInput {
  const input: IntegrationSpecInput = {};
  if (options.name !== undefined) input.displayName = options.name;
  if (options.pascalName !== undefined) input.pascalName = options.pascalName;
  if (options.authUrl !== undefined) input.authorizationUrl = options.authUrl;
  if (options.tokenUrl !== undefined) input.tokenUrl = options.tokenUrl;
  if (options.userinfoUrl !== undefined) input.userinfoUrl = options.userinfoUrl;
  if (options.issuer !== undefined) input.issuer = options.issuer;
  if (options.revocationUrl !== undefined) input.revocationUrl = options.revocationUrl;
  if (options.apiBaseUrl !== undefined) input.apiBaseUrl = options.apiBaseUrl;
  if (options.scopes !== undefined) input.scopes = options.scopes.split(/[\s,]+/).filter((s) => s.length > 0);
  if (options.scopeSeparator !== undefined) {
    const separator = SEPARATOR_WORDS[options.scopeSeparator];
    if (separator === undefined) {
      throw new UsageError("invalid --scope-separator", [
        { path: "scopeSeparator", message: `"${options.scopeSeparator}" must be "space" or "comma"` },
      ]);
    }
    input.scopeSeparator = separator as " " | ",";
  }
  if (options.authParam !== undefined && options.authParam.length > 0) {
    input.authorizationParams = parsePairs(options.authParam, "--auth-param");
  }
  if (options.pkce !== undefined) input.pkce = options.pkce;
  if (options.tokenAuthMethod !== undefined) {
    input.tokenEndpointAuthMethod = options.tokenAuthMethod as IntegrationSpec["tokenEndpointAuthMethod"];
  }
  if (options.template !== undefined) input.template = options.template as IntegrationSpec["template"];
  if (options.syncPath !== undefined || options.itemsField !== undefined || options.idField !== undefined || options.syncFrequency !== undefined) {
    input.sync = {
      ...(options.syncPath !== undefined ? { path: options.syncPath } : {}),
      ...(options.itemsField !== undefined ? { itemsField: options.itemsField } : {}),
      ...(options.idField !== undefined ? { idField: options.idField } : {}),
      ...(options.syncFrequency !== undefined ? { frequencySeconds: parseFrequency(options.syncFrequency) } : {}),
    } as IntegrationSpec["sync"];
  }
  return input;
}

/**
 * What the user does next. `ops`: the run's plan, so a step never claims the routes or the registry entry are
 * in a file they were handed over as a snippet for.
 */
export function nextSteps(spec: IntegrationSpec, config: RepoConfig, ops: FileOp[] = []): string[] {
  const ctx = buildIntegrationContext(spec, config, toolVersion());
  const pasted = (file: string) => ops.some((op) => op.path === file && op.snippets);
  const wired = [
    config.imports.router === NO_ROUTER
      ? `Mount the pages yourself (the app has no router): <${ctx.names.pascal}${spec.template === "advanced" ? "Dashboard" : "Setup"} /> from ${config.imports.components}/${ctx.names.pascal}${spec.template === "advanced" ? "Dashboard" : "Setup"} at ${ctx.routes.setup}, and <${ctx.names.pascal}CallbackPage /> from ${config.imports.pages}/${ctx.names.pascal}CallbackPage at ${ctx.routes.callback} (the provider redirects there)${config.frontEnd.indexPage ? `, and <IntegrationsIndexPage /> at ${ctx.routes.afterConnect}` : ""}. To have them routed, install react-router-dom and run nexus-integrate init.`
      : usesFileRoutes(config)
      ? `Routes ${ctx.routes.setup} and ${ctx.routes.callback} are TanStack Router file routes in ${config.paths.routes}${ctx.routes.setup}/ (index.tsx, callback.tsx).`
      : pasted(config.paths.router)
      ? `Paste the route snippet shown above into ${config.paths.router} (it has no <nexus-integrate:routes> markers): ${ctx.routes.setup} and ${ctx.routes.callback}.`
      : `Routes ${ctx.routes.setup} and ${ctx.routes.callback} are in ${config.paths.router}.`,
    pasted(config.paths.registry)
      ? `Paste the registry snippet shown above into ${config.paths.registry}.`
      : `The integration is listed in ${config.paths.registry}.`,
  ];
  const receives = spec.template === "advanced" && ctx.webhook !== null;
  const functionEnvFile = path.posix.join(config.paths.functions, ".env");
  return [
    spec.console?.redirectUris === "one"
      ? `Register the redirect URI ${ctx.urls.redirect} in a development ${spec.displayName} app (the app's URL from ${config.appUrlFrom}); ${spec.displayName} holds one callback URL per app, so production gets an app of its own (${config.paths.docs}/${spec.id}.md, step 1).`
      : `Register the redirect URI ${ctx.urls.redirect} in your ${spec.displayName} app (the app's URL from ${config.appUrlFrom}; add your production URL too${spec.console ? `; the console steps are in ${config.paths.docs}/${spec.id}.md` : ""}).`,
    `Set the function secrets: supabase secrets set ${ctx.env.clientId}=… ${ctx.env.clientSecret}=… ${ctx.env.encryptionKey}=… ${ctx.env.stateKey}=… ${ctx.env.allowedOrigins}=https://<your app> (the origins that may call the functions; unset, only localhost may).`,
    `Put the public client id in .env.local: ${ctx.env.publicClientId}=… (the secret never goes in a VITE_ variable).`,
    `To run it locally: supabase start, the function secrets in ${functionEnvFile}, supabase functions serve --env-file ${functionEnvFile} (the "Local development" section of ${config.paths.docs}/${spec.id}.md); nexus-integrate doctor checks the local values.`,
    ...wired,
    `Apply and deploy: supabase db push && supabase functions deploy ${ctx.fn.exchange} ${ctx.fn.sync}${receives ? ` ${ctx.fn.webhooks}` : ""}`,
    ...(receives
      ? [`Set the webhook secret, ${ctx.webhook!.secretHint} (supabase secrets set ${ctx.env.webhookSecret}=…), and point ${spec.displayName}'s webhooks at the ${ctx.fn.webhooks} function.`]
      : []),
    `Background sync (every ${formatFrequency(spec.sync.frequencySeconds)}, Supabase Cron): supabase secrets set NEXUS_WORKER_SECRET=…; in Vault the same secret and the project URL (select vault.create_secret('<secret>', 'nexus_integrate_worker_secret'); select vault.create_secret('https://<project-ref>.supabase.co', 'nexus_integrate_project_url');); pg_cron and pg_net enabled (nexus-integrate doctor --db-url <url> checks all of it).`,
    healthStep(config),
    ...(config.frontEnd.typedClient
      ? [
          `${config.frontEnd.typedClient} types its client with the app's Database types, which do not list the new tables; the generated code does not need them (it reads through an untyped view), but to type them in your own code regenerate the types after supabase db push: supabase gen types typescript --local (or --project-id <ref>) > ${config.frontEnd.typedClientTypes ?? "<your types file>"}.`,
        ]
      : []),
    ...(config.frontEnd.denoConfig && !config.frontEnd.denoConfig.setsNodeModulesDir
      ? [`${config.frontEnd.denoConfig.file} is the app's: for \`deno check supabase/functions/${ctx.fn.sync}/index.ts\` from the app root, add "nodeModulesDir": "none" to it (the functions' npm: imports then come from Deno's cache, not node_modules).`]
      : []),
    `Read ${config.paths.docs}/${spec.id}.md for the full checklist.`,
  ];
}

/** How an admin reaches the health page, or how the app gets one. */
export function healthStep(config: RepoConfig): string {
  const { claim, equals } = config.admin;
  const health = healthPagePath(config);
  if (!config.frontEnd.healthPage) {
    return `Integration health for your admins: ${config.frontEnd.rechartsInstall}, then nexus-integrate regenerate --all adds the page at ${health} (schema step 004 already has its figures; nexus-integrate doctor --db-url prints them).`;
  }
  const [root, ...rest] = claim.split(".");
  const grant =
    root === "app_metadata" && rest.length > 0
      ? `supabase.auth.admin.updateUserById(id, { app_metadata: { ${rest.join(": { ")}: ${JSON.stringify(equals)}${" }".repeat(rest.length - 1)} } }) with the service role key`
      : `your auth hook or the service role`;
  return `Integration health for your admins is at ${health}: an admin is a user whose JWT has ${claim} = ${JSON.stringify(equals)} (set it through ${grant}; it applies at their next sign-in or token refresh).`;
}

/** A run that stops on conflicts: exit 1, each file with its reason, what the user can do, nothing written. */
export function conflictOutcome(report: RunReport, conflicts: FileOp[], message: string, options: string[]): CommandOutcome {
  const error = new ConflictError(message, conflicts.map((op) => `${op.path}: ${op.reason ?? "conflict"}`));
  report.error = {
    message: error.message,
    files: error.files,
    issues: conflicts.map((op) => ({ path: op.path, message: op.reason ?? "conflict" })),
  };
  report.nextSteps = options;
  return { report, exitCode: error.exitCode };
}

/**
 * Why `new` cannot write, and the ways forward, least destructive first: a hand-written integration of the
 * same id (the playbook's files), files of the app's own at generated paths, or generated files edited since.
 */
export function refusalOf(
  spec: IntegrationSpec,
  conflicts: FileOp[],
  handWritten: string[],
  preset: string | undefined,
  recordedSet?: string,
): { message: string; options: string[] } {
  const foreign = conflicts.filter((op) => op.foreign);
  const edited = conflicts.filter((op) => !op.foreign);
  const options: string[] = [];
  let message: string;
  if (handWritten.length > 0) {
    message = `a hand-written ${spec.displayName} integration already exists at the playbook's paths (${handWritten.length} file${handWritten.length === 1 ? "" : "s"} nexus-integrate did not write: ${handWritten.join(", ")}); nothing was written`;
  } else if (foreign.length > 0) {
    message = `${foreign.length} file${foreign.length === 1 ? "" : "s"} at generated paths already exist${foreign.length === 1 ? "s" : ""} and ${foreign.length === 1 ? "was" : "were"} not written by nexus-integrate; nothing was written`;
  } else {
    message = "files changed since nexus-integrate wrote them; nothing was written";
  }
  if (foreign.length > 0) {
    const source = preset !== undefined ? ` --preset ${preset}` : " (with the same --spec or flags)";
    options.push(
      `Generate beside it under another id: nexus-integrate new ${spec.id}-v2${source} --pascal-name ${spec.pascalName}V2`,
      `Or keep the id and put the generated files elsewhere: set "paths" (components, pages, services, functions) in ${CONFIG_FILE}.`,
    );
    if (handWritten.length > 0) {
      options.push(`Or bring the hand-written integration under management, its users staying connected: nexus-integrate adopt ${spec.id} --dry-run (shows what it reads and replaces), then without --dry-run.`);
    }
  }
  if (edited.length > 0) {
    // regenerate keeps the recorded template set: moving to another is its --template.
    const move = recordedSet !== undefined && recordedSet !== spec.template ? ` --template ${spec.template}` : "";
    options.push(
      move
        ? `Keep your edits and move ${spec.id} from the ${recordedSet} set to ${spec.template}: nexus-integrate regenerate ${spec.id}${move} (it merges your edits three ways; without --template regenerate keeps the ${recordedSet} set).`
        : `Keep your edits: undo them, or run \`nexus-integrate regenerate ${spec.id}\` (it merges edits three ways).`,
    );
  }
  options.push(
    `Last resort: --force overwrites ${conflicts.length === 1 ? "this file" : `these ${conflicts.length} files`}` +
      (foreign.length > 0 ? " and the code in them is lost (commit or back it up first)." : " and your edits in them are lost."),
  );
  return { message, options };
}

export async function unifiedDiffs(ops: FileOp[]): Promise<Record<string, string>> {
  const { createTwoFilesPatch } = await import("diff");
  const diffs: Record<string, string> = {};
  for (const op of ops) {
    if (op.internal || op.action === "unchanged" || op.action === "keep" || op.after === op.before) continue;
    const patch = createTwoFilesPatch(
      op.before === null ? "/dev/null" : `a/${op.path}`,
      op.after === null ? "/dev/null" : `b/${op.path}`,
      op.before ?? "",
      op.after ?? "",
      undefined,
      undefined,
      { context: 3 },
    );
    diffs[op.path] = patch.split("\n").slice(2).join("\n").trimEnd();
  }
  return diffs;
}

/** The last step of a writing run: at a terminal, show the plan and ask; then write (unless a dry run). */
export async function confirmAndApply(
  target: Target,
  state: PipelineState,
  report: RunReport,
  interaction: Interaction | undefined,
): Promise<CommandOutcome> {
  const changes = report.ops.some((op) => !op.internal && (op.action === "create" || op.action === "update"));
  if (!report.dryRun && changes && interaction) {
    const confirmed = await interaction.confirmPlan(report);
    report.listed = true; // the preview showed the files
    if (!confirmed) {
      report.error = { message: "not confirmed; nothing was written", files: [] };
      // Nothing was written: the notes on what the run added, and the steps that follow a write, do not apply.
      report.notes = undefined;
      report.nextSteps = ["Run the same command again and answer yes to write these files (or pass --yes)."];
      return { report, exitCode: 1 };
    }
  }
  if (!report.dryRun) report.notes = [...(report.notes ?? []), ...(await applyRun(target, state))];
  return { report, exitCode: 0 };
}

/** `--discover`, with `--timeout` seconds and a status line at a terminal while the issuer answers. */
async function discover(issuer: string, options: NewOptions): Promise<IntegrationSpecInput> {
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      throw new UsageError("invalid --timeout", [{ path: "--timeout", message: `"${options.timeout}" must be a number of seconds from 0 to 600` }]);
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  const { discoverIssuer } = await import("../spec/discover.js");
  const { statusLine } = await import("../report.js");
  const status = statusLine(`Discovering ${issuer} (OpenID / RFC 8414 metadata)…`, { json: options.json ?? false });
  try {
    return await discoverIssuer(issuer, timeoutMs !== undefined ? { timeoutMs } : {});
  } finally {
    status.stop();
  }
}

/** Flags that describe a provider of its own: with any of them, an unknown `<provider>` is a new id, not a typo. */
function describesProvider(options: NewOptions): boolean {
  return [options.spec, options.preset, options.discover, options.authUrl, options.tokenUrl, options.name].some((v) => v !== undefined);
}

/**
 * The provider as meant: a preset matched without regard to case (`HubSpot` → `hubspot`); a name one typo away
 * from a preset is refused with the suggestion rather than taken for a new provider; without one, a person
 * at a terminal picks from the catalog.
 */
async function resolveProvider(provider: string | undefined, options: NewOptions, interaction?: Interaction): Promise<string | undefined> {
  if (provider === undefined) return interaction?.choosePreset ? ((await interaction.choosePreset()) ?? undefined) : undefined;
  if (hasPreset(provider)) return provider;
  if (hasPreset(provider.toLowerCase())) return provider.toLowerCase();
  if (describesProvider(options)) return provider;
  // A family's first word (`google`): its presets, to pick from at a terminal or to name without one.
  const family = presetsStartingWith(provider);
  if (family.length > 0 && interaction?.chooseDetected) {
    const other = `another provider named ${provider} (you give its endpoints)`;
    const picked = await interaction.chooseDetected(`"${provider}" is not a preset; these are:`, [...family, other]);
    return picked === other ? provider : picked;
  }
  if (family.length > 0) {
    throw new UsageError(`"${provider}" is not a preset`, [
      {
        path: "provider",
        message: `did you mean ${family.join(" or ")}? (\`nexus-integrate new ${family[0]}\`; for a new provider named "${provider}", give its endpoints: --auth-url, --token-url … or --spec)`,
      },
    ]);
  }
  const suggestion = closestPreset(provider);
  if (suggestion !== undefined && interaction?.confirmSuggestion) {
    // A person is there: ask, and take the answer either way.
    return (await interaction.confirmSuggestion(`"${provider}" is not a preset. Did you mean ${suggestion}?`)) ? suggestion : provider;
  }
  if (suggestion !== undefined) {
    throw new UsageError(`"${provider}" is not a preset`, [
      {
        path: "provider",
        message: `did you mean ${suggestion}? (\`nexus-integrate new ${suggestion}\`; for a new provider named "${provider}", give its endpoints: --auth-url, --token-url … or --spec)`,
      },
    ]);
  }
  return provider;
}

export async function runNew(
  givenProvider: string | undefined,
  options: NewOptions,
  interaction?: Interaction,
): Promise<CommandOutcome> {
  const target = openApp(options.target);
  await chooseAmongDetected(target.root, interaction);
  const provider = await resolveProvider(givenProvider, options, interaction);
  const presetName = selectedPreset({ ...(provider !== undefined ? { positional: provider } : {}), ...(options.preset !== undefined ? { preset: options.preset } : {}) });
  let presetVars = options.var !== undefined ? parsePairs(options.var, "--var") : undefined;
  if (presetName !== undefined && interaction?.promptForVariables && Object.keys(presetVariables(presetName)).length > 0) {
    presetVars = await interaction.promptForVariables(presetName, presetVars ?? {});
  }
  if (presetName !== undefined && hasPreset(presetName)) assertRequiredVariables(presetName, presetVars ?? {});
  const specFile = options.spec !== undefined ? await readSpecFile(options.spec) : undefined;
  if (options.timeout !== undefined && options.discover === undefined) {
    throw new UsageError("--timeout needs --discover", [{ path: "--timeout", message: "it bounds how long --discover waits for the issuer; nothing else waits" }]);
  }
  const discovered = options.discover !== undefined ? await discover(options.discover, options) : undefined;
  const flags = flagsToSpecInput(options);
  let input = mergeSources({
    ...(provider !== undefined ? { positional: provider } : {}),
    ...(options.preset !== undefined ? { preset: options.preset } : {}),
    ...(presetVars !== undefined ? { presetVars } : {}),
    ...(specFile !== undefined ? { specFile } : {}),
    ...(discovered !== undefined ? { discovered } : {}),
    flags,
  });
  const prompted = interaction ? addedValues(input, await interaction.promptForMissing(input)) : undefined;
  if (prompted) input = { ...input, ...prompted };
  if (presetName === undefined) input = withOfflineConsent(input);
  // Said when the user did not choose a prompt themselves.
  const consentAdded =
    presetName === undefined && offlineConsentAdded({ ...mergeSpecLayers(discovered, specFile, flags), scopes: input.scopes ?? [] });
  const spec = finalizeSpec(input);
  // Discovered values sit below the preset: only those it lacks are the user's.
  const presetInput = presetName !== undefined ? loadPreset(presetName, presetVars) : undefined;
  const discoveredOwn = discovered && presetInput ? Object.fromEntries(Object.entries(discovered).filter(([key]) => !(key in presetInput))) : discovered;
  const source = specSource(presetName, presetVars, spec.id, discoveredOwn, specFile, flags, prompted);
  const dryRun = options.dryRun ?? false;
  // Before anything is planned or written: the app modules the generated code imports must be there.
  const importProblems = checkAppImports(target.root, readConfigFile(target.root));
  if (importProblems.length > 0) {
    throw new UsageError("the generated code would import modules the app does not have; nothing was written", importProblems);
  }
  const body = async (): Promise<CommandOutcome> => {
    await preparePlanning(target);
    const state = planRun(target, [spec], {
      mode: "new",
      force: options.force ?? false,
      sources: { [spec.id]: source },
      ...(options.templates !== undefined ? { templatesDir: options.templates } : {}),
    });
    const { plan } = state;
    const report: RunReport = {
      command: "new",
      target: target.root,
      dryRun,
      integration: { id: spec.id, displayName: spec.displayName, templateSet: spec.template },
      spec: spec as unknown as Record<string, unknown>,
      ops: plan.ops,
      nextSteps: nextSteps(spec, state.config, plan.ops),
    };
    const notes = [
      ...(consentAdded
        ? ["Added prompt=consent to the authorization URL: OpenID Connect Core §11 requires it with offline_access, or no refresh token is issued (set --auth-param prompt=… to choose otherwise)."]
        : []),
      ...[detectedConfigNote(state.config)].filter((note): note is string => note !== null),
    ];
    if (notes.length > 0) report.notes = notes;
    if (dryRun) report.diffs = await unifiedDiffs(plan.ops);
    if (plan.conflicts.length > 0) {
      const refusal = refusalOf(spec, plan.conflicts, handWrittenFiles(target.root, state.config, state.lock, spec.id, spec.pascalName), presetName, state.lock?.integrations[spec.id]?.templateSet);
      return conflictOutcome(report, plan.conflicts, refusal.message, refusal.options);
    }
    return confirmAndApply(target, state, report, interaction);
  };
  return dryRun ? body() : withRunLock(target, body);
}

/**
 * Without a config, at a terminal: where detection found several candidates for a setting (two Supabase clients),
 * asks which one this run uses; without a terminal the best-ranked is used and the run's note names `init`.
 */
export async function chooseAmongDetected(root: string, interaction?: Interaction): Promise<void> {
  if (!interaction?.chooseDetected) return;
  for (const item of ambiguousDetection(root)) {
    chooseDetected(root, item.key, await interaction.chooseDetected(`${item.key} (${item.how}; no ${CONFIG_FILE}: \`nexus-integrate init\` keeps the choice)`, item.candidates));
  }
}
