import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import type { FileOp } from "../plan/plan.js";
import path from "node:path";
import { toolVersion } from "../package-root.js";
import { buildIntegrationContext, buildSharedContext } from "../render/context.js";
import { parseRecordedSpec } from "../spec/build.js";
import type { IntegrationSpec } from "../spec/schema.js";
import { currentSpec, describeSpecChange, type SpecSource } from "../spec/source.js";
import { staleOps } from "./regenerate.js";
import { hasConflictMarkers } from "../plan/merge.js";
import { findHandWrittenIntegrations } from "../repo/playbook.js";
import { leakedViteSecrets, routesCallback } from "../repo/app-checks.js";
import { checkIntegrationLocalEnv, checkSharedLocalEnv, notCheckedLocally, readLocalSetup } from "../repo/local-env.js";
import { migrationHistory, planRun, preparePlanning, readTargetState } from "../pipeline.js";
import { SHARED_OWNER, type Lockfile } from "../plan/lockfile.js";
import { migrationFiles, repeatedDeliveries } from "../plan/migrations.js";
import { CONFIG_FILE, detectedConfigNote, healthPagePath, type RepoConfig } from "../repo/config.js";
import { openApp, resolveInside, type Target } from "../repo/target.js";
import { fileRoutes, NO_ROUTER, routeTreeFile, usesFileRoutes } from "../repo/tanstack.js";

export interface Finding {
  integration: string | null;
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
}

export interface DoctorResult {
  target: string;
  findings: Finding[];
  ok: boolean;
  /** What doctor cannot see from here (deployed secrets, the providers' consoles), said as such. */
  notChecked?: string[];
  /** With --db-url, where schema step 004 is applied: the health page's figures (nexus_integrate.health_report). */
  health?: HealthReport;
}

export const HEALTH_WINDOWS = ["24h", "7d", "30d"] as const;
export type HealthWindow = (typeof HEALTH_WINDOWS)[number];

/** What nexus_integrate.health_report returns (schema step 004); rates in %, durations and ages in seconds. */
export interface HealthReport {
  window: HealthWindow;
  users: number;
  generated_at: string;
  integrations: {
    id: string;
    frequency_seconds: number | null;
    metrics: Record<"oauth_success_rate" | "token_refresh_rate" | "data_sync_success" | "user_adoption_rate" | "error_rate" | "avg_sync_duration", number | null>;
    counts: Record<string, number>;
    connections: { connected: number; needs_reauth: number; error: number; total: number };
    freshness: { p50_seconds: number | null; p95_seconds: number | null; synced: number; never_synced: number };
    queue: { depth: number; running: number; oldest_due_seconds: number | null; dead: number };
    rate_limit: { paused: number; paused_until: string | null };
    [more: string]: unknown;
  }[];
}

/** Checks every installed integration: files present and current, env, docs, migrations, no leaked secret. */
export async function runDoctor(options: { target: string }): Promise<DoctorResult> {
  const target = openApp(options.target);
  const { config, lock } = readTargetState(target);
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);

  // Secrets in VITE_ variables, in any env file: Vite ships those to the browser.
  for (const { file, variable } of leakedViteSecrets(target.root)) {
    add({
      integration: null,
      check: "no-secret-in-vite",
      ok: false,
      message: `${file} sets ${variable}: Vite ships every VITE_ variable to the browser`,
      fix: `delete it from ${file}; set the secret with \`supabase secrets set ${variable.replace(/^VITE_/, "")}=…\` (functions only)`,
    });
  }

  // Integrations written by hand from the playbook: recognised, never touched.
  for (const found of findHandWrittenIntegrations(target.root, config, lock)) {
    add({
      integration: found.id,
      check: "hand-written",
      ok: true,
      message: `hand-written integration (playbook layout, not managed by nexus-integrate): ${found.files.join(", ")}`,
      fix: `leave it as it is, or generate a managed one beside it: nexus-integrate new ${found.id}-v2 --preset ${found.id} (when ${found.id} is a preset)`,
    });
  }

  const configNote = detectedConfigNote(config);
  if (configNote) {
    add({ integration: null, check: "config", ok: true, message: configNote, fix: `nexus-integrate init (writes ${CONFIG_FILE})` });
  }
  checkMigrationHistory(target, config, lock, add);

  if (!lock || Object.keys(lock.integrations).length === 0) {
    add({ integration: null, check: "integrations", ok: true, message: "no generated integrations yet (nexus-integrate.lock.json lists none)" });
    return { target: target.root, findings, ok: findings.every((f) => f.ok) };
  }

  // The local set-up: the function env file's shared secrets (each integration's own are checked below).
  const local = readLocalSetup(target, config);
  for (const finding of checkSharedLocalEnv(target, local, buildSharedContext(config, toolVersion()))) add(finding);
  const notChecked = notCheckedLocally(local.env.file);

  // Files a forced merge left with conflict markers are not done.
  const generatedFiles = new Set(
    [...lock.shared.outputs, ...Object.values(lock.integrations).flatMap((entry) => entry.outputs)].map((output) => output.path),
  );
  const marked: string[] = [];
  for (const file of [...generatedFiles].sort()) {
    const absolute = path.join(target.root, file);
    if (existsSync(absolute) && hasConflictMarkers(readFileSync(absolute, "utf8"))) marked.push(file);
  }
  add(
    marked.length === 0
      ? { integration: null, check: "conflict-markers", ok: true, message: "no generated file has conflict markers" }
      : {
          integration: null,
          check: "conflict-markers",
          ok: false,
          message: `unresolved conflict markers (<<<<<<< … >>>>>>>) in ${marked.join(", ")}`,
          fix: "resolve each conflict (keep your side, the template's, or both) and delete the markers; then `nexus-integrate regenerate --all --check`",
        },
  );

  const ids = Object.keys(lock.integrations).sort();
  const specs = ids.map((id) => parseRecordedSpec(lock.integrations[id]!.spec, `nexus-integrate.lock.json (${id})`));
  // The presets of this version, resolved again: what `regenerate` would move each integration to.
  const current: IntegrationSpec[] = [];
  const sources: Record<string, SpecSource | undefined> = {};
  for (const [index, id] of ids.entries()) {
    try {
      const now = currentSpec(id, lock.integrations[id]!, specs[index]!);
      current.push(now.spec);
      sources[id] = now.source;
      add(
        now.changes.length === 0
          ? { integration: id, check: "preset", ok: true, message: now.source ? `matches the current "${now.source.preset}" preset` : "described in full (no preset)" }
          : {
              integration: id,
              check: "preset",
              ok: false,
              message: `the "${now.source!.preset}" preset changed: ${now.changes.map(describeSpecChange).join("; ")}`,
              fix: `nexus-integrate regenerate ${id} (your own values are kept)`,
            },
      );
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      current.push(specs[index]!);
      add({ integration: id, check: "preset", ok: false, message: error.message, fix: error.issues.map((i) => `${i.path}: ${i.message}`).join("; ") });
    }
  }
  // Stale files, attributed to the integration whose lockfile entry lists them (shared ones to all).
  const owners = new Map<string, string[]>();
  for (const [id, entry] of Object.entries(lock.integrations)) {
    for (const output of entry.outputs) owners.set(output.path, [...(owners.get(output.path) ?? []), id]);
  }
  const stale = new Map<string, string[]>();
  let ops: FileOp[] = [];
  try {
    await preparePlanning(target);
    ops = staleOps(planRun(target, current, { mode: "regenerate", force: false, sources }).plan.ops);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Doctor reports what stops the other commands (an app of 0.1, say) instead of stopping.
    add({ integration: null, check: "plan", ok: false, message: error.message, fix: error.issues.map((i) => `${i.path}: ${i.message}`).join("; ") });
  }
  for (const op of ops.filter((o) => o.step === undefined)) {
    for (const id of owners.get(op.path) ?? specs.map((spec) => spec.id)) stale.set(id, [...(stale.get(id) ?? []), op.path]);
  }
  const pending = ops.filter((o) => o.step !== undefined).map((o) => o.step!);
  add(
    pending.length === 0
      ? { integration: null, check: "schema-steps", ok: true, message: "every schema step of the current templates is delivered" }
      : {
          integration: null,
          check: "schema-steps",
          ok: false,
          message: `schema step${pending.length === 1 ? "" : "s"} not delivered yet: ${pending.join(", ")}`,
          fix: "nexus-integrate regenerate --all (writes one new migration per step), then supabase db push",
        },
  );

  for (const spec of specs) {
    const id = spec.id;
    const ctx = buildIntegrationContext(spec, config, toolVersion());
    const entry = lock.integrations[id]!;
    const missingFiles = entry.outputs.filter((o) => o.kind === "file" && !existsSync(path.join(target.root, o.path)));
    add(
      missingFiles.length === 0
        ? { integration: id, check: "files", ok: true, message: `all ${entry.outputs.length} generated outputs are present` }
        : {
            integration: id,
            check: "files",
            ok: false,
            message: `missing: ${missingFiles.map((o) => o.path).join(", ")}`,
            fix: `nexus-integrate regenerate ${id}`,
          },
    );
    const staleFiles = (stale.get(id) ?? []).filter((file) => !missingFiles.some((o) => o.path === file) && !marked.includes(file));
    add(
      staleFiles.length === 0
        ? { integration: id, check: "up-to-date", ok: true, message: "generated files match the current templates" }
        : { integration: id, check: "up-to-date", ok: false, message: `stale: ${staleFiles.join(", ")}`, fix: `nexus-integrate regenerate ${id}` },
    );
    for (const finding of checkIntegrationLocalEnv(target, config, local, ctx)) add(finding);
    // The provider redirects to the callback route: without it, every connect ends on the app's 404.
    const callbackPage = `${ctx.names.pascal}CallbackPage`;
    if (config.imports.router === NO_ROUTER) {
      add({
        integration: id,
        check: "callback-route",
        ok: true,
        message: `not checked: the app has no router (imports.router = none), so ${callbackPage} is mounted at ${ctx.routes.callback} by the app's own code`,
      });
    } else if (usesFileRoutes(config)) {
      // File routes: a route file declares the callback path, and the route tree (what the router is built from) has it.
      const route = fileRoutes(target.root, config.paths.routes).find((found) => found.path === ctx.routes.callback);
      const tree = routeTreeFile(target.root, config);
      const treeText = existsSync(path.join(target.root, tree)) ? readFileSync(path.join(target.root, tree), "utf8") : "";
      const inTree = treeText.includes(`'${ctx.routes.callback}'`) || treeText.includes(`"${ctx.routes.callback}"`);
      add(
        route && inTree
          ? { integration: id, check: "callback-route", ok: true, message: `${route.file} routes ${ctx.routes.callback} (in ${tree})` }
          : {
              integration: id,
              check: "callback-route",
              ok: false,
              message: route
                ? `${route.file} declares ${ctx.routes.callback}, but ${tree} does not list it yet: the router is built from the tree`
                : `no file route in ${config.paths.routes}/ declares ${ctx.routes.callback}: the provider redirects there after consent`,
              fix: route
                ? "start the dev server (npm run dev) or run `npx vite build` once: TanStack Router's plugin regenerates the tree"
                : `nexus-integrate regenerate ${id} writes ${config.paths.routes}${ctx.routes.callback}.tsx again`,
            },
      );
    } else add(
      routesCallback(target.root, config, ctx)
        ? { integration: id, check: "callback-route", ok: true, message: `${config.paths.router} routes ${ctx.routes.callback}` }
        : {
            integration: id,
            check: "callback-route",
            ok: false,
            message: `${config.paths.router} has no route for ${ctx.routes.callback} (nor renders ${callbackPage}): the provider redirects there after consent`,
            fix: `add <Route path="${ctx.routes.callback}" element={<${callbackPage} />} /> to ${config.paths.router} (the snippet \`nexus-integrate regenerate ${id} --dry-run\` shows), or add the <nexus-integrate:routes> markers and regenerate`,
          },
    );
    const docsPath = path.join(target.root, config.paths.docs, `${id}.md`);
    const docs = existsSync(docsPath) ? readFileSync(docsPath, "utf8") : "";
    const docsOk = docs.includes(ctx.urls.redirect) && docs.includes(ctx.env.clientSecret) && docs.includes(ctx.env.clientId);
    add(
      docsOk
        ? { integration: id, check: "docs", ok: true, message: `docs list the redirect URI ${ctx.urls.redirect} (the app's URL from ${config.appUrlFrom}) and the secrets to set` }
        : {
            integration: id,
            check: "docs",
            ok: false,
            message: `${path.relative(target.root, docsPath)} does not list the redirect URI (${ctx.urls.redirect}, the app's URL from ${config.appUrlFrom}) and the secrets ${ctx.env.clientId}, ${ctx.env.clientSecret}`,
            fix: `nexus-integrate regenerate ${id}`,
          },
    );
  }
  return { target: target.root, findings, ok: findings.every((f) => f.ok), notChecked };
}

/** The file names the Supabase CLI applies (`supabase db push` skips any other .sql file in the folder). */
const CLI_MIGRATION_NAME = /^([0-9]+)_(.*)\.sql$/;

/** Migration files of the 0.1 releases, before steps had markers: one file per shared schema. */
const UNMARKED_SHARED_SCHEMA = /_nexus_integrations_base\.sql$/;

/**
 * The migration history, statically: a schema step delivered twice (two branches that each ran `new`, say), a
 * delivered migration the lockfile names that is gone. Steps not delivered yet are checked with the plan.
 */
function checkMigrationHistory(target: Target, config: RepoConfig, lock: Lockfile | null, add: (finding: Finding) => void): void {
  const history = migrationHistory(target, config, lock);
  const dir = config.paths.migrations;
  const repeats = repeatedDeliveries(history).map(({ first, repeat }) => ({ first: first.file, repeat: repeat.file, step: `${first.owner}/${first.step}` }));
  const unmarked = migrationFiles(resolveInside(target, dir)).filter((name) => UNMARKED_SHARED_SCHEMA.test(name));
  for (const later of unmarked.slice(1)) repeats.push({ first: `${dir}/${unmarked[0]}`, repeat: `${dir}/${later}`, step: "shared schema (0.1)" });
  if (repeats.length === 0 && history.length > 0) {
    add({ integration: null, check: "schema-history", ok: true, message: `${history.length} schema step deliveries, none repeated` });
  }
  // The app's own migrations too: a file the CLI skips is a change that never reaches the database.
  const skipped = migrationFiles(resolveInside(target, dir)).filter((name) => !CLI_MIGRATION_NAME.test(name));
  if (skipped.length > 0) {
    add({
      integration: null,
      check: "migration-names",
      ok: false,
      message: `supabase db push skips ${skipped.map((name) => `${dir}/${name}`).join(", ")}: a migration's file name must be <timestamp>_name.sql`,
      fix: `rename ${skipped.length === 1 ? "it" : "each"} to <timestamp>_<name>.sql, with a timestamp that puts it where it belongs in ${dir} (for example 20250101000000_${skipped[0]!.replace(/^[^A-Za-z0-9]*/, "").replace(/\.sql$/, "").replace(/[^A-Za-z0-9_]+/g, "_") || "change"}.sql); if it was applied by hand already, mark it with supabase migration repair`,
    });
  }
  for (const { first, repeat, step } of repeats) {
    add({
      integration: null,
      check: "schema-history",
      ok: false,
      message: `${repeat} delivers ${step} again, after ${first}: applied in order, it stops at "already exists"`,
      fix: `delete ${repeat} (two branches that each ran nexus-integrate deliver a step twice; keep the earlier file); the next \`nexus-integrate regenerate\` forgets it`,
    });
  }
  // A deleted repeat is not missing: deleting it was the fix, and the history no longer counts it.
  const counted = new Set(history.map((record) => record.file));
  for (const record of lock?.migrations ?? []) {
    if (!counted.has(record.file) || existsSync(resolveInside(target, record.file))) continue;
    add({
      integration: record.owner === SHARED_OWNER ? null : record.owner,
      check: "schema-history",
      ok: false,
      message: `${record.file} (schema step ${record.owner}/${record.step}) is in the lockfile but not on disk`,
      fix: `restore it from version control (git checkout -- ${record.file}): migrations are history, and nexus-integrate never delivers a step twice`,
    });
  }
}

/**
 * With `--db-url`: what only the database knows. Delivered migrations that were never applied, and plaintext
 * tokens of adopted integrations still waiting to be encrypted (they are, on each user's next sync).
 */
export async function checkDatabase(
  target: string,
  dbUrl: string,
  options: { window?: HealthWindow } = {},
): Promise<{ findings: Finding[]; health?: HealthReport }> {
  let health: HealthReport | undefined;
  const app = openApp(target);
  const { config, lock } = readTargetState(app);
  const { default: postgres } = await import("postgres");
  const sql = postgres(dbUrl, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  const findings: Finding[] = [];
  try {
    const applied = new Set(
      (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`.catch(() => [])).map((row) => row.version),
    );
    const pending = migrationHistory(app, config, lock).filter((record) => !applied.has(path.basename(record.file).slice(0, 14)));
    findings.push(
      pending.length === 0
        ? { integration: null, check: "database-migrations", ok: true, message: "every delivered schema step is applied" }
        : {
            integration: null,
            check: "database-migrations",
            ok: false,
            message: `not applied to this database: ${pending.map((record) => `${record.file} (${record.owner}/${record.step})`).join(", ")}`,
            fix: "supabase db push --remote=<this database's URL> (Supabase CLI 3; --db-url <URL> with CLI 2)",
          },
    );
    // Adopted integrations: plaintext the hand-written functions wrote after the adoption migration ran (they
    // stay deployed until the generated ones replace them) is back where its users can read it.
    for (const [id, entry] of Object.entries(lock?.integrations ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (!entry.adopted) continue;
      const [tables] = await sql<{ tokens: boolean; connections: boolean }[]>`
        select to_regclass('public.oauth_tokens') is not null as tokens, to_regclass('public.user_integrations') is not null as connections`;
      const inTokens = tables?.tokens
        ? (await sql<{ n: number }[]>`select count(*)::int as n from public.oauth_tokens where provider = ${entry.adopted.legacyProvider}`)[0]!.n
        : 0;
      const inConfig =
        tables?.connections && entry.adopted.legacyIntegrationId !== null
          ? (
              await sql<{ n: number }[]>`
                select count(*)::int as n from public.user_integrations
                where integration_id::text = ${entry.adopted.legacyIntegrationId}
                  and (config::jsonb ? 'access_token' or config::jsonb ? 'refresh_token')`
            )[0]!.n
          : 0;
      findings.push(
        inTokens + inConfig === 0
          ? { integration: id, check: "adopted-plaintext", ok: true, message: "no plaintext token of the hand-written integration is left in the app's tables" }
          : {
              integration: id,
              check: "adopted-plaintext",
              ok: false,
              message: `${inTokens} row(s) of public.oauth_tokens (provider ${entry.adopted.legacyProvider}) and ${inConfig} of public.user_integrations hold ${id} tokens in plaintext, readable by their users: written by the hand-written functions after the adoption migration ran`,
              fix: `deploy the generated functions now (supabase functions deploy ${id}-exchange-tokens ${id}-sync); then those users connect again and their plaintext rows can be deleted`,
            },
      );
    }
    await checkBackgroundSync(sql, lock, findings);
    await checkTokenKeys(sql, app, config, findings);
    health = await readHealth(sql, lock, findings, options.window ?? "24h", healthPagePath(config));
    if (health) await checkAdminRule(sql, config, findings);
    const schema = await sql<{ present: boolean }[]>`select to_regclass('nexus_integrate.legacy_tokens') is not null as present`;
    if (schema[0]?.present) {
      const waiting = await sql<{ provider: string; n: number }[]>`
        select provider, count(*)::int as n from nexus_integrate.legacy_tokens group by provider order by provider`;
      findings.push(
        waiting.length === 0
          ? { integration: null, check: "legacy-tokens", ok: true, message: "no plaintext token is waiting to be encrypted" }
          : {
              integration: null,
              check: "legacy-tokens",
              ok: false,
              message: `plaintext tokens moved by adopt, not yet encrypted: ${waiting.map((row) => `${row.provider} ${row.n}`).join(", ")} (in nexus_integrate.legacy_tokens, which no browser can read)`,
              fix: "each is encrypted, and its plaintext deleted, on that user's next sync (or disconnect): trigger a sync for those users to finish now",
            },
      );
    }
  } catch (error) {
    findings.push({
      integration: null,
      check: "database",
      ok: false,
      message: `could not read the database: ${(error as Error).message}`,
      fix: "check --db-url (postgresql://user:password@host:port/database)",
    });
  } finally {
    await sql.end({ timeout: 2 });
  }
  return health ? { findings, health } : { findings };
}

/** The function env file's key ring (`supabase/functions/.env`, as `supabase functions serve --env-file` reads it). */
function localKeyRing(app: Target, config: RepoConfig): { file: string; ids: string[] } | null {
  const file = path.join(resolveInside(app, config.paths.functions), ".env");
  if (!existsSync(file)) return null;
  const values = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, "$2"));
  }
  const raw = values.get("NEXUS_TOKEN_ENCRYPTION_KEYS") || values.get("NEXUS_TOKEN_ENCRYPTION_KEY");
  if (!raw) return null;
  const ids = raw
    .split(/[\s,]+/)
    .filter((key) => key !== "")
    .map((key) => tokenKeyId(Buffer.from(key.replace(/-/g, "+").replace(/_/g, "/"), "base64")));
  return { file: path.relative(app.root, file), ids };
}

/** The key id the generated crypto.ts derives (the first 8 characters of a labelled SHA-256, base64url). */
export function tokenKeyId(key: Buffer): string {
  return createHash("sha256").update("nexus-integrate key id:").update(key).digest("base64url").slice(0, 8);
}

/**
 * Which key sealed each stored token (schema step 005: `v2.<key id>.…`; `v1.` from before key rings). After a
 * rotation the rows move to the new key as they sync; the old key may leave the ring when none is left under it.
 */
async function checkTokenKeys(sql: import("postgres").Sql, app: Target, config: RepoConfig, findings: Finding[]): Promise<void> {
  const [present] = await sql<{ present: boolean }[]>`select to_regclass('nexus_integrate.oauth_tokens') is not null as present`;
  if (!present?.present) return;
  const rows = await sql<{ key: string; n: number }[]>`
    select case when access_token like 'v2.%' then split_part(access_token, '.', 2) else 'v1' end as key, count(*)::int as n
    from nexus_integrate.oauth_tokens group by 1 order by 2 desc, 1`;
  if (rows.length === 0) return;
  const label = (key: string) => (key === "v1" ? "from before key rings (v1)" : `key ${key}`);
  const counts = rows.map((row) => `${row.n} under ${label(row.key)}`).join(", ");
  const ring = localKeyRing(app, config);
  const current = ring?.ids[0];
  const old = rows.filter((row) => row.key !== current);
  if (current !== undefined) {
    const unknown = rows.filter((row) => row.key !== "v1" && !ring!.ids.includes(row.key));
    findings.push(
      old.length === 0
        ? { integration: null, check: "token-keys", ok: true, message: `every stored token is sealed with the current key ${current} (${ring!.file})` }
        : {
            integration: null,
            check: "token-keys",
            ok: false,
            message: `stored tokens: ${counts}; the current key (${ring!.file}) is ${current}${unknown.length > 0 ? `, and ${unknown.map((row) => row.key).join(", ")} is in no key of that file: those connections will have to reconnect unless the key comes back` : ""}`,
            fix: "keep every older key in NEXUS_TOKEN_ENCRYPTION_KEYS (after the current one) until this count is 0: each connection moves to the current key on its next sync",
          },
    );
    return;
  }
  findings.push(
    rows.length === 1 && rows[0]!.key !== "v1"
      ? { integration: null, check: "token-keys", ok: true, message: `every stored token is sealed with one key, ${rows[0]!.key} (the deployed secret is not visible from here)` }
      : {
          integration: null,
          check: "token-keys",
          ok: false,
          message: `stored tokens: ${counts}: a key rotation has not finished (the deployed NEXUS_TOKEN_ENCRYPTION_KEYS is not visible from here)`,
          fix: "keep every key listed here in NEXUS_TOKEN_ENCRYPTION_KEYS, the new one first, until one remains: each connection moves to the current key on its next sync",
        },
  );
}

/** The admin claim the database checks (written by schema step 004 when it was delivered) against the config's. */
async function checkAdminRule(sql: import("postgres").Sql, config: RepoConfig, findings: Finding[]): Promise<void> {
  const [rule] = await sql<{ claim_path: string[]; claim_value: string }[]>`select claim_path, claim_value from nexus_integrate.admin_rule`;
  const wanted = config.admin;
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const same = rule !== undefined && rule.claim_path.join(".") === wanted.claim && rule.claim_value === wanted.equals;
  findings.push(
    same
      ? { integration: null, check: "health-admins", ok: true, message: `the health page's admins: ${wanted.claim} = ${JSON.stringify(wanted.equals)}` }
      : {
          integration: null,
          check: "health-admins",
          ok: false,
          message: `the database marks admins by ${rule ? `${rule.claim_path.join(".")} = ${JSON.stringify(rule.claim_value)}` : "nothing (no admin rule)"}, the config by ${wanted.claim} = ${JSON.stringify(wanted.equals)}${wanted.source === "default" ? " (the default)" : ""}`,
          fix: `in a new migration: insert into nexus_integrate.admin_rule (claim_path, claim_value) values (array[${wanted.claim.split(".").map(literal).join(", ")}], ${literal(wanted.equals)}) on conflict (only_row) do update set claim_path = excluded.claim_path, claim_value = excluded.claim_value; (or change admin in nexus-integrate.config.json to match)`,
        },
  );
}

const rate = (value: number | null) => (value === null ? "–" : `${Number(value.toFixed(1))}%`);

/**
 * The health page's headline figures per integration (schema step 004), as one finding each; a finding fails when
 * the data is older than twice the sync frequency at p95 (the page's "behind schedule").
 */
async function readHealth(
  sql: import("postgres").Sql,
  lock: Lockfile | null,
  findings: Finding[],
  window: HealthWindow,
  page: string,
): Promise<HealthReport | undefined> {
  const [present] = await sql<{ ok: boolean }[]>`select to_regprocedure('nexus_integrate.health_report(text)') is not null as ok`;
  if (!present?.ok) return undefined;
  const [row] = await sql<{ report: HealthReport }[]>`select nexus_integrate.health_report(${window}) as report`;
  const report = row!.report;
  for (const item of report.integrations) {
    const m = item.metrics;
    const frequency =
      item.frequency_seconds ?? Number((lock?.integrations[item.id]?.spec as { sync?: { frequencySeconds?: number } } | undefined)?.sync?.frequencySeconds ?? 0);
    const p95 = item.freshness.p95_seconds;
    const age = item.freshness.synced === 0 ? "never synced" : `data age p50 ${formatSeconds(item.freshness.p50_seconds ?? 0)}, p95 ${formatSeconds(p95 ?? 0)}`;
    const message =
      `${window}: OAuth success ${rate(m.oauth_success_rate)}, token refresh ${rate(m.token_refresh_rate)}, sync success ${rate(m.data_sync_success)}, ` +
      `adoption ${rate(m.user_adoption_rate)}, errors ${rate(m.error_rate)}, average sync ${m.avg_sync_duration === null ? "–" : `${Number(m.avg_sync_duration.toFixed(2))} s`}; ` +
      `${item.connections.connected} connected, ${item.connections.needs_reauth} need reauth; ${age}${frequency > 0 ? ` (every ${formatSeconds(frequency)})` : ""}` +
      `${item.rate_limit.paused > 0 ? `; ${item.rate_limit.paused} rate-limited` : ""}`;
    const behind = frequency > 0 && p95 !== null && p95 > 2 * frequency;
    findings.push(
      behind
        ? {
            integration: item.id,
            check: "health",
            ok: false,
            message: `${message}: the data is older than twice the frequency at p95`,
            fix: `see the sync-queue finding above and the Cron runs (select * from cron.job_run_details order by start_time desc limit 20); the page: ${page}`,
          }
        : { integration: item.id, check: "health", ok: true, message },
    );
    const failedRevocations = item.counts.revocation_failed ?? 0;
    if (failedRevocations > 0) {
      const latest = (item.failures as { event_type: string; details: { error?: unknown } }[] | undefined)?.find((f) => f.event_type === "revocation_failed");
      findings.push({
        integration: item.id,
        check: "revocation",
        ok: false,
        message:
          `${window}: ${failedRevocations} disconnect(s) could not revoke the grant at the provider${latest?.details.error ? ` (latest: ${String(latest.details.error)})` : ""}; ` +
          "the connections are gone here, but those grants stay live at the provider",
        fix:
          `ask those users to remove the app in the provider's account settings: select user_id, details->>'error', created_at from public.nexus_integration_events ` +
          `where integration_id = '${item.id}' and event_type = 'revocation_failed' order by created_at desc; the page: ${page}`,
      });
    }
  }
  return report;
}

/**
 * Background sync (schema step 003): the extensions and Vault secrets Cron needs, each integration's Cron job,
 * its queue (depth, the oldest due job), dead letters with their last error, and connections waiting for their
 * user to reconnect.
 */
async function checkBackgroundSync(sql: import("postgres").Sql, lock: Lockfile | null, findings: Finding[]): Promise<void> {
  const [state] = await sql<{ jobs: boolean; cron: boolean; net: boolean; vault: boolean }[]>`
    select to_regclass('nexus_integrate.sync_jobs') is not null as jobs,
           exists (select 1 from pg_extension where extname = 'pg_cron') as cron,
           to_regnamespace('net') is not null as net,
           to_regclass('vault.secrets') is not null as vault`;
  const ids = Object.keys(lock?.integrations ?? {}).sort();
  if (!state?.jobs || ids.length === 0) return;
  const schedule = "select nexus_integrate.schedule_sync(id) from nexus_integrate.integrations;";
  findings.push(
    state.cron
      ? { integration: null, check: "sync-cron", ok: true, message: "pg_cron is enabled" }
      : {
          integration: null,
          check: "sync-cron",
          ok: false,
          message: "pg_cron is not enabled in this database: integrations sync only when a user clicks Sync now",
          fix: `enable pg_cron (Dashboard → Database → Extensions, or: create extension pg_cron with schema pg_catalog;), then: ${schedule}`,
        },
    state.net
      ? { integration: null, check: "sync-net", ok: true, message: "pg_net is enabled" }
      : {
          integration: null,
          check: "sync-net",
          ok: false,
          message: "pg_net is not enabled: Cron's dispatcher cannot call the workers",
          fix: "enable pg_net (Dashboard → Database → Extensions, or: create extension pg_net with schema extensions;)",
        },
  );
  if (state.vault) {
    const names = new Set(
      (await sql<{ name: string }[]>`
        select name from vault.secrets where name in ('nexus_integrate_project_url', 'nexus_integrate_worker_secret')`).map((r) => r.name),
    );
    const missing = ["nexus_integrate_project_url", "nexus_integrate_worker_secret"].filter((name) => !names.has(name));
    findings.push(
      missing.length === 0
        ? { integration: null, check: "sync-vault", ok: true, message: "Vault holds the project URL and the worker secret" }
        : {
            integration: null,
            check: "sync-vault",
            ok: false,
            message: `Vault lacks ${missing.join(" and ")}: the dispatcher queues jobs but calls no worker`,
            fix: "select vault.create_secret('https://<project-ref>.supabase.co', 'nexus_integrate_project_url'); select vault.create_secret('<NEXUS_WORKER_SECRET>', 'nexus_integrate_worker_secret'); (and supabase secrets set NEXUS_WORKER_SECRET=<the same>)",
          },
    );
  } else {
    findings.push({
      integration: null,
      check: "sync-vault",
      ok: false,
      message: "Supabase Vault is not installed: the dispatcher reads the project URL and the worker secret from it",
      fix: "create extension supabase_vault; (hosted Supabase projects have it)",
    });
  }
  const jobs = state.cron
    ? new Set((await sql<{ jobname: string }[]>`select jobname from cron.job where jobname like 'nexus-integrate-sync-%'`).map((r) => r.jobname))
    : new Set<string>();
  for (const id of ids) {
    const frequency = Number((lock!.integrations[id]!.spec as { sync?: { frequencySeconds?: number } }).sync?.frequencySeconds ?? 3600);
    if (state.cron) {
      const name = `nexus-integrate-sync-${id}`;
      findings.push(
        jobs.has(name)
          ? { integration: id, check: "sync-schedule", ok: true, message: `Cron job ${name} runs the dispatcher` }
          : {
              integration: id,
              check: "sync-schedule",
              ok: false,
              message: `no Cron job ${name}: ${id} syncs only when a user clicks Sync now`,
              fix: `select nexus_integrate.schedule_sync('${id}');`,
            },
      );
    }
    const [queue] = await sql<{ queued: number; running: number; oldest: number | null; dead: number; reauth: number }[]>`
      select
        count(*) filter (where j.queued_at is not null and j.dead_at is null)::int as queued,
        count(*) filter (where j.lease_until > now())::int as running,
        extract(epoch from now() - min(j.queued_at) filter (
          where j.queued_at is not null and j.dead_at is null and c.status in ('connected', 'error')
            and (j.run_after is null or j.run_after <= now())))::float8 as oldest,
        count(*) filter (where j.dead_at is not null)::int as dead,
        count(*) filter (where c.status = 'needs_reauth')::int as reauth
      from nexus_integrate.sync_jobs j
      join public.nexus_user_integrations c on c.user_id = j.user_id and c.integration_id = j.provider
      where j.provider = ${id}`;
    if (!queue) continue;
    const waited = queue.oldest === null ? "" : `, the oldest due for ${formatSeconds(queue.oldest)}`;
    const behind = queue.oldest !== null && queue.oldest > Math.max(2 * frequency, 600);
    findings.push(
      behind
        ? {
            integration: id,
            check: "sync-queue",
            ok: false,
            message: `queue falling behind: ${queue.queued} queued${waited} (the frequency is ${formatSeconds(frequency)}), ${queue.running} running`,
            fix: `check that Cron calls the worker (cron.job_run_details, net._http_response) and its logs (supabase functions logs ${id}-sync); more workers per tick: select cron.schedule('nexus-integrate-sync-${id}', '* * * * *', $$select nexus_integrate.dispatch_sync('${id}', 8)$$)`,
          }
        : { integration: id, check: "sync-queue", ok: true, message: `queue: ${queue.queued} queued${waited}, ${queue.running} running` },
    );
    if (queue.dead > 0) {
      const letters = await sql<{ user_id: string; last_error: string | null; dead_at: Date }[]>`
        select user_id, last_error, dead_at from nexus_integrate.sync_jobs
        where provider = ${id} and dead_at is not null order by dead_at desc limit 5`;
      findings.push({
        integration: id,
        check: "sync-dead-letters",
        ok: false,
        message: `${queue.dead} dead letter(s), retried no more: ${letters.map((l) => `${l.user_id} (${l.last_error ?? "no error recorded"})`).join(", ")}${queue.dead > letters.length ? ", …" : ""}`,
        fix: `fix the cause, then retry one: select nexus_integrate.queue_sync_now('${id}', '<user id>'); (a user's Sync now or reconnect does the same)`,
      });
    }
    if (queue.reauth > 0) {
      findings.push({
        integration: id,
        check: "sync-needs-reauth",
        ok: false,
        message: `${queue.reauth} connection(s) wait for their user to reconnect (needs_reauth): not synced until then`,
        fix: "those users reconnect from the integration's setup page (select user_id from public.nexus_user_integrations where status = 'needs_reauth')",
      });
    }
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Human lines; `quiet`: only the problems and their fixes. */
export function formatDoctor(result: DoctorResult, options: { quiet?: boolean } = {}): string[] {
  const lines = options.quiet ? [] : [`nexus-integrate doctor → ${result.target}`];
  for (const finding of result.findings.filter((f) => !options.quiet || !f.ok)) {
    const where = finding.integration ? `${finding.integration}: ` : "";
    lines.push(`  ${finding.ok ? "ok  " : "FAIL"}  ${where}${finding.check} — ${finding.message}`);
    if (!finding.ok && finding.fix) lines.push(`        fix: ${finding.fix}`);
  }
  const failures = result.findings.filter((f) => !f.ok).length;
  if (!options.quiet && result.notChecked && result.notChecked.length > 0) {
    lines.push("  Not checked here:");
    for (const item of result.notChecked) lines.push(`    - ${item}`);
  }
  lines.push(failures === 0 ? (result.notChecked?.length ? "Everything checked looks right." : "Everything looks right.") : `${failures} problem${failures === 1 ? "" : "s"} found.`);
  return lines;
}
