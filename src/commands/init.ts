import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConflictError, UsageError, type FieldIssue } from "../errors.js";
import { withRunLock } from "../pipeline.js";
import { applyFileOps } from "../plan/apply.js";
import type { FileOp } from "../plan/plan.js";
import { checkAppImports } from "../repo/app-imports.js";
import { detectApp } from "../repo/detect.js";
import { detectAdminConvention } from "../repo/admin-claim.js";
import { CONFIG_FILE, DEFAULT_ADMIN, DEFAULT_IMPORTS, DEFAULT_PATHS, resolveRepoConfig } from "../repo/config.js";
import { detectFrontEnd, missingPartsCommand, PART_EXPORTS, readComponentsJson } from "../repo/front-end.js";
import { openApp } from "../repo/target.js";
import { viteDevUrl } from "../repo/vite-config.js";
import type { RunReport } from "../report.js";
import type { CommandOutcome } from "./new.js";

/**
 * `init`: finds the app's root, detects what the generated code must import (the Supabase client, a Card
 * component, the router package) and where routes live, asks only what it cannot tell (never without a TTY),
 * and writes nexus-integrate.config.json — as shadcn's `init` writes components.json.
 */
export interface InitOptions {
  target: string;
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Asks the user to pick among candidates, or to type a value when there are none. */
export interface InitInteraction {
  choose(question: string, candidates: string[]): Promise<string>;
  /** A line of text, the detected value as its default. */
  ask(question: string, defaultValue: string): Promise<string>;
  /** Shows what init found (the report's notes), then asks. */
  confirm(question: string, findings: RunReport): Promise<boolean>;
}

/**
 * Why a typed value would not work, or null: a module specifier must resolve to a module exporting what the
 * generated code imports (imports.supabase, imports.card), the router package must be installed, paths.router must
 * be a file, a folder alias must reach the folder the code is written to. The same checks `new` makes.
 */
function typedValueProblem(root: string, chosen: Record<string, Record<string, string>>, key: string, value: string): string | null {
  if (key === "paths.router") {
    return existsSync(path.join(root, value)) ? null : `${value} is not a file of the app`;
  }
  if (key === "paths.routes") {
    return existsSync(path.join(root, value)) ? null : `${value} is not a folder of the app`;
  }
  const draft: Record<string, Record<string, string>> = { paths: { ...chosen.paths }, imports: { ...chosen.imports } };
  setKey(draft, key, value);
  const config = resolveRepoConfig({ paths: { ...DEFAULT_PATHS, ...draft.paths }, imports: { ...DEFAULT_IMPORTS, ...draft.imports } });
  const issue = checkAppImports(root, config).find((found) => found.path === `${CONFIG_FILE}: ${key}`);
  return issue ? issue.message : null;
}

function setKey(target: Record<string, Record<string, string>>, key: string, value: string): void {
  const [group, name] = key.split(".") as [string, string];
  (target[group] ??= {})[name] = value;
}

/**
 * The JWT claim that marks the app's admins (the health page): the config's, else the app's own convention where
 * its SQL or front end shows one, else asked in a terminal (Supabase's common app_metadata.role = "admin" offered).
 * Only what differs from the default is written.
 */
async function chooseAdminClaim(
  root: string,
  migrations: string,
  existing: Record<string, unknown>,
  notes: string[],
  interaction?: InitInteraction,
): Promise<{ claim: string; equals: string } | undefined> {
  const detection = detectAdminConvention(root, migrations);
  let admin: { claim: string; equals: string } | undefined;
  // A team's own `admin` is kept as they wrote it (with the other keys init does not detect).
  const kept = (existing.admin as { claim?: unknown } | undefined)?.claim;
  if (existing.admin !== undefined) {
    // nothing to choose
  } else if (detection.found) {
    admin = { claim: detection.found.claim, equals: detection.found.equals };
    notes.push(`admins: ${admin.claim} = ${JSON.stringify(admin.equals)}, the check ${detection.found.file} makes (the health page uses the same claim)`);
  } else if (interaction) {
    const claim = (await interaction.ask("The JWT claim marking admins (admin.claim)", DEFAULT_ADMIN.claim)) || DEFAULT_ADMIN.claim;
    const equals = (await interaction.ask("Its value for an admin (admin.equals)", DEFAULT_ADMIN.equals)) || DEFAULT_ADMIN.equals;
    if (claim !== DEFAULT_ADMIN.claim || equals !== DEFAULT_ADMIN.equals) admin = { claim, equals };
    notes.push(`admins: ${claim} = ${JSON.stringify(equals)} (you chose)`);
  } else {
    notes.push(`admins: ${DEFAULT_ADMIN.claim} = ${JSON.stringify(DEFAULT_ADMIN.equals)} (the default; set "admin" in ${CONFIG_FILE} for another claim)`);
  }
  if (detection.userMetadata.length > 0) {
    notes.push(
      `warning: ${detection.userMetadata.join(", ")} decide${detection.userMetadata.length === 1 ? "s" : ""} who is an admin from user_metadata, which every user can edit for themselves; the health page never does (it checks ${typeof kept === "string" ? kept : (admin?.claim ?? DEFAULT_ADMIN.claim)}, which only the service role sets)`,
    );
  }
  return admin;
}

export async function runInit(options: InitOptions, interaction?: InitInteraction): Promise<CommandOutcome> {
  const target = openApp(options.target);
  const { detected, notes } = detectApp(target.root);
  const config: Record<string, Record<string, string>> = { paths: {}, imports: {} };
  const missing: FieldIssue[] = [];
  const chosen: string[] = [];
  const typed = new Set<string>();
  // What no answer can fix (the app's modules cannot be imported without an alias) stops init before it asks.
  const blocked = detected.filter((item) => item.why !== undefined && item.candidates.length === 0);
  if (blocked.length > 0) {
    throw new UsageError("init cannot configure this app yet; nothing was written", blocked.map((item) => ({ path: item.key, message: item.why! })));
  }
  for (const item of detected) {
    let value: string | undefined;
    if (item.key === "imports.card" && item.candidates.length === 0) {
      // Optional: without a Card of the app's, the pages use the tool's own (styled like the rest of the kit).
      notes.push("no card.tsx exporting the Card parts: the pages use a card of their own");
      continue;
    }
    if (item.candidates.length === 1 || (item.candidates.length > 1 && !interaction)) value = item.candidates[0];
    else if (item.candidates.length > 1 && interaction) value = await interaction.choose(`${item.key} (${item.how})`, item.candidates);
    else if (interaction) {
      // Typed: checked the way detection checks (it resolves, it exports what is needed, the package is there).
      let problem: string | null = null;
      for (let tries = 0; tries < 3; tries++) {
        const question = `${item.key}: none found (${problem ?? item.how}); type the value`;
        value = await interaction.choose(question, []);
        problem = value === "" ? "nothing typed" : typedValueProblem(target.root, config, item.key, value);
        if (problem === null) break;
      }
      if (problem !== null) {
        missing.push({ path: item.key, message: `"${value ?? ""}" was not taken: ${problem}` });
        continue;
      }
      typed.add(item.key);
    }
    if (value === undefined || value === "") {
      missing.push({ path: item.key, message: `could not be detected (${item.how}); run init in a terminal to type it, or write it in ${CONFIG_FILE}` });
      continue;
    }
    if (item.candidates.length > 1) chosen.push(`${item.key}: ${value} (also found: ${item.candidates.filter((c) => c !== value).join(", ")})`);
    setKey(config, item.key, value);
  }
  if (missing.length > 0) throw new UsageError("init could not detect everything; nothing was written", missing);

  const paths = { ...DEFAULT_PATHS, ...config.paths };
  const imports = { ...DEFAULT_IMPORTS, ...config.imports };
  // The front end as the pages will see it: the UI kit, Tailwind's version, the parts present, the app's name.
  const front = detectFrontEnd(target.root, resolveRepoConfig({ paths, imports }));
  const configPath = path.join(target.root, CONFIG_FILE);
  const before = existsSync(configPath) ? readFileSync(configPath, "utf8") : null;
  const existing = before !== null ? (JSON.parse(before) as Record<string, unknown>) : {};
  // The name the config has is the default to keep; a terminal may change it.
  const knownName = typeof existing.appName === "string" ? existing.appName : front.appName;
  const appName = interaction ? (await interaction.ask("The app's name, as its users see it (appName)", knownName)) || knownName : knownName;
  const admin = await chooseAdminClaim(target.root, paths.migrations, existing, notes, interaction);
  const shadcn = readComponentsJson(target.root);
  // The dev server's URL (the redirect URI's origin): the port vite.config sets, else Vite's default.
  const vite = viteDevUrl(target.root);
  const file: Record<string, unknown> = {
    paths,
    imports,
    appUrl: vite?.url ?? "http://localhost:5173",
    routesBase: "/integrations",
    appName,
    signInPath: front.signInPath,
    ui: { style: front.style, ...(shadcn?.uiAlias ? { alias: shadcn.uiAlias } : {}) },
    ...(admin ? { admin } : {}),
  };
  // Keep what the team set that init does not detect (templates, appUrl, routesBase, $schema, signInPath, ...).
  for (const key of ["appUrl", "routesBase", "templates", "$schema", "afterConnectPath", "signInPath", "ui", "admin"]) {
    if (existing[key] !== undefined) file[key] = existing[key];
  }
  resolveRepoConfig(file); // what init writes must load
  const parts = (Object.keys(PART_EXPORTS) as (keyof typeof PART_EXPORTS)[]).filter((part) => front.parts[part]);
  notes.push(
    `UI kit: ${front.style === "shadcn" ? `shadcn/ui (components.json, parts in ${front.uiAlias})` : front.style === "tailwind" ? "Tailwind utilities (no components.json)" : "none found: the pages bring their own stylesheet (nexus-integrate.css)"}` +
      `${front.tailwind !== null ? `, Tailwind ${front.tailwind}` : ""}; the app's parts the pages use: ${parts.length > 0 ? parts.join(", ") : "none"}`,
  );
  const add = missingPartsCommand(front);
  if (add) notes.push(`for the app's own look everywhere, add the missing parts: ${add} (then nexus-integrate regenerate --all)`);
  if (!front.healthPage) notes.push(`the admins' health page (${typeof existing.routesBase === "string" ? existing.routesBase : "/integrations"}/health) needs Recharts: ${front.rechartsInstall} (then nexus-integrate regenerate --all)`);
  const after = `${JSON.stringify(file, null, 2)}\n`;
  // A config that says the same once defaults and detection fill in what it leaves out (the example app's, without the
  // keys init adds) is not "other settings": nothing to write unless --force writes the keys out.
  const same = before !== null && before !== after && sameSettings(existing, file);
  if (same && !options.force) notes.push(`${CONFIG_FILE} already has these settings (init would only write out keys it leaves to their defaults; --force writes them)`);
  const action = before === null ? "create" : before === after || (same && !options.force) ? "unchanged" : options.force ? "update" : "conflict";
  const op: FileOp = { path: CONFIG_FILE, action, before, after, kind: "file", forced: action === "update" };
  const report: RunReport = {
    command: "init",
    target: target.root,
    dryRun: options.dryRun ?? false,
    ops: [op],
    nextSteps: ["Generate an integration: nexus-integrate new <provider> (nexus-integrate list shows the presets)"],
    notes: [
      ...detected.flatMap((item) => {
        const value = item.key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], file);
        if (value === undefined) return [];
        return [typed.has(item.key) ? `chose ${item.key} = ${String(value)} (typed; it checks out)` : `detected ${item.key} = ${String(value)}`];
      }),
      `detected appName = ${appName}; signInPath = ${front.signInPath}`,
      existing.appUrl !== undefined
        ? `kept appUrl = ${String(existing.appUrl)}`
        : `detected appUrl = ${String(file.appUrl)} (${vite ? `${vite.file} server.port` : "no port in vite.config: Vite's default"})`,
      ...chosen.map((line) => `chose ${line}`),
      ...notes.map((line) => `note: ${line}`),
    ],
  };
  if (action === "conflict") {
    const error = new ConflictError(`${CONFIG_FILE} exists with other settings; nothing was written`, [CONFIG_FILE]);
    report.error = { message: error.message, files: error.files };
    report.nextSteps = ["Review the settings above, then re-run with --force to overwrite the file (keys init does not detect are kept)."];
    return { report, exitCode: 1 };
  }
  if (action === "unchanged" || report.dryRun) return { report, exitCode: 0 };
  if (interaction && !(await interaction.confirm(`Write ${CONFIG_FILE}?`, report))) {
    report.error = { message: "not confirmed; nothing was written", files: [] };
    report.nextSteps = [];
    return { report, exitCode: 1 };
  }
  await withRunLock(target, async () => applyFileOps(target, [op]));
  return { report, exitCode: 0 };
}

/** Whether two configs configure the same: equal once resolved, a key one leaves out being what detection gives. */
function sameSettings(existing: Record<string, unknown>, written: Record<string, unknown>): boolean {
  let a: ReturnType<typeof resolveRepoConfig>;
  let b: ReturnType<typeof resolveRepoConfig>;
  try {
    a = resolveRepoConfig(existing);
    b = resolveRepoConfig(written);
  } catch {
    return false;
  }
  const resolved = (config: typeof a) =>
    JSON.stringify([config.paths, config.imports, config.appUrl, config.routesBase, config.templates, config.afterConnectPath, config.admin.claim, config.admin.equals]);
  // appName, signInPath and ui are detected where the config leaves them out; init writes the detected values.
  const detectedOr = (key: string) => existing[key] === undefined || JSON.stringify(existing[key]) === JSON.stringify(written[key]);
  return resolved(a) === resolved(b) && ["appName", "signInPath", "ui"].every(detectedOr);
}
