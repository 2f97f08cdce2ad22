import { execa } from "execa";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { freePort } from "./app-server.js";
import { REPO_ROOT } from "./paths.js";
import { SUPABASE_CLI } from "./supabase-cli.js";
import { SUPABASE_PREP_SQL } from "./supabase-prep.js";

/**
 * A real PostgreSQL server for the tests (Debian's postgresql, version 15 as Supabase runs), started once per
 * test run by the global setup on 127.0.0.1 and stopped by its PID. Each test gets its own database, copied
 * from a template prepared the way a Supabase project's database is: its roles, an `auth` schema with
 * `auth.users` and `auth.uid()`, and Supabase's default grants on `public` to `anon` and `authenticated`.
 */

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { port: number } | null;
  }
}

const TEMPLATE_DB = "supabase_template";
/** The one database of the cluster where pg_cron lives (`cron.database_name`): Supabase Cron's `postgres`. */
export const CRON_DB = "nexus_cron";

/**
 * pg_net and Supabase Vault are not packaged for Debian: test stand-ins of the same names, schemas and documented
 * signatures (tests/helpers/pg-standins/) go into the server's extension folder, so the generated `create
 * extension` runs unchanged. Returns whether they are there (the folder is root's).
 */
function installStandins(bin: string): boolean {
  const share = execFileSync(path.join(bin, "pg_config"), ["--sharedir"], { encoding: "utf8" }).trim();
  const target = path.join(share, "extension");
  const source = path.join(REPO_ROOT, "tests", "helpers", "pg-standins");
  try {
    for (const file of readdirSync(source)) {
      const to = path.join(target, file);
      if (!existsSync(to) || readFileSync(to, "utf8") !== readFileSync(path.join(source, file), "utf8")) copyFileSync(path.join(source, file), to);
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether Debian's pg_cron (postgresql-<version>-cron) is installed for this server. */
function hasPgCron(bin: string): boolean {
  const share = execFileSync(path.join(bin, "pg_config"), ["--sharedir"], { encoding: "utf8" }).trim();
  return existsSync(path.join(share, "extension", "pg_cron.control"));
}

function pgBinDir(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

/** Debian's `postgres` system user (the package creates it). */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("running as root, but there is no `postgres` user to own the test cluster (apt-get install postgresql creates it)");
  }
}

export function adminUrl(port: number, database = "postgres"): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/${database}?sslmode=disable`;
}

async function waitReady(port: number, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited (${server.exitCode}):\n${log()}`);
    const sql = postgres(adminUrl(port), { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not start: ${(error as Error).message}\n${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

/** Starts a throwaway cluster on 127.0.0.1 (the global setup calls this once); `stop` ends it by PID. */
export async function startCluster(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const bin = pgBinDir();
  if (!bin) {
    throw new Error("PostgreSQL not found (/usr/lib/postgresql/<version>/bin): `npm test` installs it with apt-get when run as root; or set PG_BIN");
  }
  const dir = mkdtempSync(path.join(tmpdir(), "nexus-pg-"));
  // initdb and postgres refuse to run as root: as root, the cluster belongs to Debian's `postgres` user.
  const owner = userInfo().uid === 0 ? postgresUser() : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, "data");
  await execa(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], {
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    cwd: dir,
  });
  const port = await freePort();
  let log = "";
  installStandins(bin);
  // pg_cron as Supabase runs it: preloaded, its jobs run in background workers, in one database.
  // pg_stat_statements for the sync benchmark's statement counts.
  const cron = hasPgCron(bin)
    ? ["-c", "shared_preload_libraries=pg_cron,pg_stat_statements", "-c", `cron.database_name=${CRON_DB}`, "-c", "cron.use_background_workers=on", "-c", "max_worker_processes=32"]
    : ["-c", "shared_preload_libraries=pg_stat_statements"];
  const server = spawn(
    path.join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300", ...cron],
    { ...(owner ? { uid: owner.uid, gid: owner.gid } : {}), cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const pid = server.pid!;
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      process.kill(pid, "SIGINT"); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(port, server, () => log);
    const admin = postgres(adminUrl(port), { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
    await admin.end();
    const template = postgres(adminUrl(port, TEMPLATE_DB), { max: 1, onnotice: () => undefined });
    await template.unsafe(SUPABASE_PREP_SQL).simple();
    await template.end();
    const admin2 = postgres(adminUrl(port), { max: 1, onnotice: () => undefined });
    await admin2.unsafe(`create database ${CRON_DB} template ${TEMPLATE_DB}`);
    await admin2.unsafe(`alter database ${CRON_DB} set pgrst.db_schemas = 'public, graphql_public'`);
    await admin2.end();
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, pid, stop };
}

export interface TestDb {
  name: string;
  /** URL for the Supabase CLI and the generated functions (SUPABASE_DB_URL). */
  url: string;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows: number }>;
  /** Several statements at once (a migration file). */
  exec(text: string): Promise<void>;
  /** Runs `fn` as a Data API role with JWT claims, inside a transaction, as PostgREST does. */
  asRole<T>(
    /** A Supabase role, or one of the generated functions' NOLOGIN roles. */
    role: "anon" | "authenticated" | "service_role" | `nexus_integrate_${string}`,
    userId: string | null,
    fn: (tx: TestTx) => Promise<T>,
    /** More JWT claims (app_metadata, is_anonymous, …). */
    claims?: Record<string, unknown>,
  ): Promise<T>;
  close(): Promise<void>;
}

export interface TestTx {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows: number }>;
}

let counter = 0;

function clusterPort(): number {
  const info = inject("postgres");
  if (!info) throw new Error("no PostgreSQL server: the global setup did not start one");
  return info.port;
}

/** A new database prepared like a Supabase project's, on the test run's server. */
export async function createSupabaseDatabase(): Promise<TestDb> {
  const port = clusterPort();
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = postgres(adminUrl(port), { max: 1, onnotice: () => undefined });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (error) {
        // Two files copying the template at once: PostgreSQL refuses the second while the first copies.
        if (attempt > 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
    // Supabase's Data API settings, which its advisor reads to know the exposed schemas.
    await admin.unsafe(`alter database ${name} set pgrst.db_schemas = 'public, graphql_public'`);
  } finally {
    await admin.end();
  }
  return connectTestDb(port, name);
}

/** The cluster's pg_cron database (one per test run: only one test file may use it). */
export function cronDatabase(): TestDb {
  return connectTestDb(clusterPort(), CRON_DB);
}

function connectTestDb(port: number, name: string): TestDb {
  const url = adminUrl(port, name);
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  const run = async <T>(runner: postgres.Sql | postgres.TransactionSql, text: string, params: unknown[] = []) => {
    const result = await runner.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
    return { rows: [...result] as T[], affectedRows: result.count ?? 0 };
  };
  return {
    name,
    url,
    query: (text, params) => run(sql, text, params),
    async exec(text) {
      await sql.unsafe(text).simple();
    },
    async asRole(role, userId, fn, extra = {}) {
      return (await sql.begin(async (tx) => {
        const claims = JSON.stringify({ ...(userId ? { sub: userId, role } : { role }), ...extra });
        await tx`select set_config('request.jwt.claims', ${claims}, true)`;
        await tx.unsafe(`set local role ${role}`);
        return fn({ query: (text, params) => run(tx, text, params) });
      })) as never;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}


function supabase(args: string[], cwd: string) {
  return execa(SUPABASE_CLI, args, {
    cwd,
    reject: false,
    stdin: "ignore",
    timeout: 180_000,
    // The CLI's own telemetry and update checks have no network here.
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1" },
  });
}

/** `supabase db push --remote=<url>` in the app, as a developer deploys its migrations (and seed, when asked). */
export async function dbPush(appDir: string, db: TestDb, options: { includeSeed?: boolean } = {}) {
  const result = await supabase(["db", "push", `--remote=${db.url}`, "--yes", ...(options.includeSeed ? ["--include-seed"] : [])], appDir);
  if (result.exitCode !== 0) throw new Error(`supabase db push failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

export interface AdvisorFinding {
  name: string;
  level: "INFO" | "WARN" | "ERROR";
  detail: string;
  metadata: Record<string, unknown>;
}

/** `supabase db advisors --remote=<url>`: every finding (level info and up), and whether `--fail-on warn` passes. */
export async function dbAdvisors(appDir: string, db: TestDb): Promise<{ findings: AdvisorFinding[]; failOnWarnExitCode: number; output: string }> {
  const listed = await supabase(["db", "advisors", `--remote=${db.url}`, "--type", "all", "--level", "info", "--output-format", "json"], appDir);
  if (listed.exitCode !== 0) throw new Error(`supabase db advisors failed (${listed.exitCode}):\n${listed.stdout}\n${listed.stderr}`);
  const parsed = JSON.parse(listed.stdout.slice(listed.stdout.indexOf("{"))) as { results?: AdvisorFinding[] };
  const gate = await supabase(["db", "advisors", `--remote=${db.url}`, "--type", "all", "--fail-on", "warn"], appDir);
  return { findings: parsed.results ?? [], failOnWarnExitCode: gate.exitCode ?? -1, output: `${gate.stdout}\n${gate.stderr}` };
}

/** Schemas Supabase manages itself (its advisor skips them too). */
const SYSTEM_SCHEMAS = ["auth", "extensions", "graphql", "graphql_public", "information_schema", "pg_catalog", "pg_toast", "realtime", "storage", "supabase_functions", "supabase_migrations", "vault"];

/**
 * What the Data API roles can reach, as the lints Supabase runs with pg_graphql installed see it (pg_graphql
 * shows a role every relation it can select any column of, and PostgREST lets a role call any function it may
 * execute): relations `anon` / `authenticated` can read, and SECURITY DEFINER functions they can execute.
 */
export async function apiReach(db: TestDb): Promise<{ anonReadable: string[]; authenticatedReadable: string[]; definerExecutable: string[] }> {
  const { rows } = await db.query<{ relation: string; anon: boolean; authenticated: boolean }>(
    `select n.nspname || '.' || c.relname as relation,
            bool_or(has_column_privilege('anon', c.oid, a.attnum, 'SELECT')) as anon,
            bool_or(has_column_privilege('authenticated', c.oid, a.attnum, 'SELECT')) as authenticated
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('r', 'v', 'm', 'f') and n.nspname <> all($1::text[])
      group by 1 order by 1`,
    [SYSTEM_SCHEMAS],
  );
  const functions = await db.query<{ fn: string }>(
    `select n.nspname || '.' || p.proname as fn
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname <> all($1::text[])
        and (has_function_privilege('anon', p.oid, 'EXECUTE') or has_function_privilege('authenticated', p.oid, 'EXECUTE'))
      order by 1`,
    [SYSTEM_SCHEMAS],
  );
  return {
    anonReadable: rows.filter((r) => r.anon).map((r) => r.relation),
    authenticatedReadable: rows.filter((r) => r.authenticated).map((r) => r.relation),
    definerExecutable: functions.rows.map((r) => r.fn),
  };
}
