import { randomUUID } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import type { ResultPromise } from "execa";
import { loadPreset } from "../../src/spec/presets.js";
import { deriveNames } from "../../src/spec/names.js";
import { copyExampleApp } from "./fixtures.js";
import { generate } from "./generate.js";
import { launchGateway, sealStored } from "./oauth-stack.js";
import { dbPush, type TestDb } from "./postgres.js";
import { DOUBLE_CLIENT_ID, DOUBLE_CLIENT_SECRET, startDoubles, type Doubles, type Grant } from "./provider-doubles.js";

/**
 * Background sync at scale, as Supabase runs it: an app with several presets generated against their provider
 * doubles, its migrations pushed, many connected users (tokens encrypted as the functions store them), several
 * worker processes (the gateway stand-in running the generated `<id>-sync` functions unchanged), and a loop that
 * does what Supabase Cron and pg_net do: run each integration's dispatcher, then deliver the requests
 * `net.http_post` queued to the workers. Used by tests/verify/background-sync.test.ts and bench/sync.ts.
 */
export const WORKER_SECRET = "worker-secret-for-tests-0123456789abcdef";
const PROJECT_URL = "http://project.supabase.invalid";

export interface Connection {
  userId: string;
  preset: string;
  grant: Grant;
}

export interface SyncWorld {
  app: string;
  db: TestDb;
  doubles: Doubles;
  presets: string[];
  connections: Connection[];
  workers: { url: string; process: ResultPromise }[];
  /** One Cron tick: each integration's dispatcher runs, and every queued pg_net request is delivered. */
  tick(options?: { maxWorkers?: number }): Promise<number>;
  /** What pg_net's background worker does: sends the requests net.http_post queued (to the workers). */
  deliverQueued(): Promise<number>;
  /** Ticks until no job is queued or running (or `timeoutMs` passes); resolves with the ticks made. */
  drain(options?: { timeoutMs?: number; tickMs?: number; maxWorkers?: number }): Promise<number>;
  /** Calls a worker directly, as pg_net would. */
  callWorker(preset: string, worker?: number, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A further worker process (to be killed, say), with more function secrets. */
  startWorker(env?: Record<string, string>): Promise<{ url: string; process: ResultPromise }>;
  /** Replaces the worker processes with ones that have these function secrets too. */
  restartWorkers(env: Record<string, string>): Promise<void>;
  /** More connected users (tokens stored encrypted, jobs queued). */
  addConnections(preset: string, count: number, items: number, expiring?: boolean): Promise<Connection[]>;
  /** The SQL connection the harness itself uses (the dispatcher's). */
  admin: postgres.Sql;
  inFlight(): number;
  /** Waits until every delivered worker call has answered. */
  settle(): Promise<void>;
  close(): Promise<void>;
}


export async function startSyncWorld(options: {
  db: TestDb;
  presets: string[];
  /** Connections per preset. */
  perPreset: number;
  /** Items each account lists (a number, or per connection index). */
  items: number | ((i: number, preset: string) => number);
  workers: number;
  /** Function secrets for every worker (rate limits, budgets, leases). */
  env?: Record<string, string>;
  /** Presets whose tokens are about to expire (each connection refreshes at its first run). */
  expiring?: string[];
}): Promise<SyncWorld> {
  const doubles = await startDoubles();
  const app = copyExampleApp();
  for (const preset of options.presets) await generate(app, preset, { ...doubles.endpoints(preset) });
  const { db } = options;
  await dbPush(app, db);

  const connections: Connection[] = [];
  const sql = postgres(db.url, { max: 4, onnotice: () => undefined });
  /** Connected users: auth.users, their connections (each gets its job, queued), their encrypted tokens. */
  const addConnections = async (preset: string, count: number, items: number | ((i: number, preset: string) => number), expiring: boolean) => {
    const rows: { user_id: string; access: string; refresh: string | null; expires: string }[] = [];
    const added: Connection[] = [];
    for (let i = 0; i < count; i++) {
      const grant = doubles.seedGrant(preset, { items: typeof items === "number" ? items : items(i, preset) });
      const userId = randomUUID();
      added.push({ userId, preset, grant });
      rows.push({
        user_id: userId,
        access: await sealStored(grant.accessToken, `${preset}:${userId}:access_token`),
        refresh: grant.refreshToken === null ? null : await sealStored(grant.refreshToken, `${preset}:${userId}:refresh_token`),
        expires: new Date(Date.now() + (expiring ? 60_000 : 3_600_000)).toISOString(),
      });
    }
    for (let at = 0; at < rows.length; at += 1000) {
      const chunk = rows.slice(at, at + 1000);
      const ids = chunk.map((r) => r.user_id);
      await sql`insert into auth.users (id, email) select u, u::text || '@example.com' from unnest(${ids}::uuid[]) u`;
      await sql`
        insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status, config)
        select u, ${preset}, ${preset}, 'connected', '{}'::jsonb from unnest(${ids}::uuid[]) u`;
      await sql`
        insert into nexus_integrate.oauth_tokens (user_id, provider, access_token, refresh_token, expires_at)
        select r.user_id, ${preset}, r.access, r.refresh, r.expires
        from jsonb_to_recordset(${sql.json(chunk)}) as r(user_id uuid, access text, refresh text, expires timestamptz)`;
    }
    connections.push(...added);
    return added;
  };
  for (const preset of options.presets) {
    await addConnections(preset, options.perPreset, options.items, options.expiring?.includes(preset) ?? false);
  }
  // What the team sets once (docs page, step 5): Vault's project URL and worker secret.
  await sql`create extension if not exists supabase_vault`;
  await sql`delete from vault.secrets where name in ('nexus_integrate_project_url', 'nexus_integrate_worker_secret')`;
  await sql`select vault.create_secret(${PROJECT_URL}, 'nexus_integrate_project_url')`;
  await sql`select vault.create_secret(${WORKER_SECRET}, 'nexus_integrate_worker_secret')`;

  const env: Record<string, string> = {
    SUPABASE_DB_URL: db.url,
    NEXUS_WORKER_SECRET: WORKER_SECRET,
    ...options.env,
  };
  for (const preset of options.presets) {
    const constant = deriveNames(preset, loadPreset(preset).pascalName ?? "X").constant;
    env[`${constant}_CLIENT_ID`] = DOUBLE_CLIENT_ID;
    env[`${constant}_CLIENT_SECRET`] = DOUBLE_CLIENT_SECRET;
  }
  const startWorker = (extra: Record<string, string> = {}) =>
    launchGateway({
      functionsDir: path.join(app, "supabase", "functions"),
      functions: options.presets.map((p) => `${p}-sync`),
      keys: "legacy",
      env: { ...env, ...extra },
    });
  const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorker()));
  const stopWorkers = async (list: { process: ResultPromise }[]) => {
    for (const worker of list) worker.process.kill("SIGTERM");
    await Promise.all(list.map((worker) => worker.process.catch(() => undefined)));
  };

  const admin = postgres(db.url, { max: 2, onnotice: () => undefined });
  let next = 0;
  let inFlight = 0;
  const pending = new Set<Promise<unknown>>();
  const deliver = (url: string, headers: Record<string, string>, body: string) => {
    const worker = workers[next++ % workers.length]!;
    inFlight++;
    const sent = fetch(url.replace(PROJECT_URL, worker.url), { method: "POST", headers, body })
      .then((r) => r.text())
      .catch(() => undefined)
      .finally(() => {
        inFlight--;
        pending.delete(sent);
      });
    pending.add(sent);
  };

  const world: SyncWorld = {
    app,
    db,
    doubles,
    presets: options.presets,
    connections,
    workers,
    async tick({ maxWorkers = 2 } = {}) {
      for (const preset of options.presets) await admin`select nexus_integrate.dispatch_sync(${preset}, ${maxWorkers})`;
      return world.deliverQueued();
    },
    async deliverQueued() {
      const queued = await admin<{ url: string; headers: Record<string, string>; body: string }[]>`
        delete from net.http_request_queue returning url, headers, convert_from(body, 'UTF8') as body`;
      for (const request of queued) deliver(request.url, request.headers, request.body);
      return queued.length;
    },
    async drain({ timeoutMs = 120_000, tickMs = 500, maxWorkers = 2 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let ticks = 0;
      for (;;) {
        await world.tick({ maxWorkers });
        ticks++;
        const [row] = await admin<{ open: number }[]>`
          select count(*)::int as open from nexus_integrate.sync_jobs where queued_at is not null and dead_at is null`;
        const open = row?.open ?? 0;
        if (open === 0 && inFlight === 0) return ticks;
        if (Date.now() > deadline) throw new Error(`jobs still open after ${timeoutMs} ms: ${open} (${inFlight} worker calls in flight)`);
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
    },
    async callWorker(preset, worker = 0, authorization = `Bearer ${WORKER_SECRET}`) {
      const res = await fetch(`${workers[worker]!.url}/functions/v1/${preset}-sync`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: authorization },
        body: JSON.stringify({ worker: true }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    startWorker: (extra) => startWorker(extra),
    async restartWorkers(extra) {
      await stopWorkers(workers);
      const fresh = await Promise.all(workers.map(() => startWorker(extra)));
      workers.splice(0, workers.length, ...fresh);
    },
    addConnections: (preset, count, items, expiring = false) => addConnections(preset, count, items, expiring),
    admin,
    inFlight: () => inFlight,
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      await Promise.allSettled([...pending]);
      await stopWorkers(workers);
      await admin.end();
      await sql.end();
      await doubles.close();
    },
  };
  return world;
}
