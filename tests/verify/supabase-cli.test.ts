import { execa } from "execa";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, configureLocalEnv, copyExampleApp, copyPlaybookApp, snapshotTree } from "../helpers/fixtures.js";
import { makeToolCopy } from "../helpers/tool-copy.js";
import { expectAdvisorsQuiet, SHARED_READABLE } from "../helpers/advisors.js";
import { createSupabaseDatabase, dbAdvisors, dbPush, type TestDb } from "../helpers/postgres.js";
import { SUPABASE_CLI, SUPABASE_CLI_VERSION } from "../helpers/supabase-cli.js";

/**
 * The generated migrations as a team deploys them: the real Supabase CLI (`supabase db push --remote=<url>`, the
 * npm package at exactly package.json's config.supabaseCli, installed by the global setup) applies them to PostgreSQL 15 prepared with Supabase's roles and `auth` schema,
 * and Supabase's own advisor (`supabase db advisors --fail-on warn`) has nothing to say afterwards.
 */
const opened: TestDb[] = [];

it("deploys with the Supabase CLI version package.json pins, exactly", async () => {
  expect(SUPABASE_CLI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  expect((await execa(SUPABASE_CLI, ["--version"], { stdin: "ignore" })).stdout.trim()).toBe(SUPABASE_CLI_VERSION);
});
afterAll(async () => {
  for (const db of opened) await db.close();
});

async function database(): Promise<TestDb> {
  const db = await createSupabaseDatabase();
  opened.push(db);
  return db;
}

function cli(args: string[], env: Record<string, string> = {}, bin = BIN) {
  return execa("node", [bin, ...args], { reject: false, stdin: "ignore", env: { NO_COLOR: "1", ...env } });
}

async function ok(args: string[], env: Record<string, string> = {}, bin = BIN) {
  const result = await cli(args, env, bin);
  expect(result.exitCode, `${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}


describe("the example app's history, applied with supabase db push", () => {
  it("new hubspot, new microsoft, remove hubspot, new hubspot: every migration applies and the advisor stays quiet", async () => {
    const app = copyExampleApp();
    const db = await database();

    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records"]);

    await ok(["new", "microsoft", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records", "public.microsoft_records"]);

    await ok(["remove", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.microsoft_records"]);
    expect((await db.query("select id from nexus_integrate.integrations order by id")).rows).toEqual([{ id: "microsoft" }]);

    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records", "public.microsoft_records"]);

    const migrations = readdirSync(path.join(app, "supabase/migrations")).map((f) => f.replace(/^\d{14}_/, ""));
    expect(migrations).toEqual([
      "profiles.sql",
      "nexus_integrate_001_schema.sql",
      "nexus_integrate_002_legacy_tokens.sql",
      "nexus_integrate_003_sync_jobs.sql",
      "nexus_integrate_004_health.sql",
      "nexus_integrate_005_key_ring.sql",
      "nexus_integrate_006_disconnect_through_function.sql",
      "nexus_integrate_007_function_roles.sql",
      "nexus_integrate_008_revocation_events.sql",
      "nexus_integrate_009_job_calls_take_role.sql",
      "hubspot_001_integration.sql",
      "hubspot_003_sync_schedule.sql",
      "hubspot_004_function_role.sql",
      "microsoft_001_integration.sql",
      "microsoft_003_sync_schedule.sql",
      "microsoft_004_function_role.sql",
      "hubspot_remove.sql",
      "hubspot_001_integration.sql",
      "hubspot_003_sync_schedule.sql",
      "hubspot_004_function_role.sql",
    ]);
    const applied = await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version");
    expect(applied.rows).toHaveLength(20);
    configureLocalEnv(app, ["HUBSPOT", "MICROSOFT"]);
    expect((await ok(["doctor", "--target", app])).stdout).toContain("Everything checked looks right.");
  });
});

/** The playbook's own statements (Integration Playbook §4.1 and §4.2), with real ids for its placeholders. */
const PLAYBOOK_INSERTS = (user: string) => `
INSERT INTO user_integrations (
  user_id,
  integration_id,
  integration_name,
  status,
  config,
  last_sync_at
) VALUES (
  '${user}',
  '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
  'Provider Name',
  'connected',
  '{"access_token": "...", "refresh_token": "...", "expires_at": "...", "account_info": {}}',
  NOW()
);

INSERT INTO oauth_tokens (
  user_id,
  provider,
  access_token,
  refresh_token,
  expires_at,
  scope
) VALUES (
  '${user}',
  'provider-name',
  'access_token_here',
  'refresh_token_here',
  '2025-08-11T00:00:00Z',
  'scope1 scope2 scope3'
);
`;

describe("least privilege: the functions' SQL runs under NOLOGIN roles (schema step 007, steps 004 and 005)", () => {
  it("as nexus_integrate_fn_hubspot: no auth.users, no app table, no other integration's records or rows; as nexus_integrate_wh_hubspot: insert a delivery and nothing else", async () => {
    const app = copyExampleApp();
    const db = await database();
    await ok(["new", "hubspot", "--template", "advanced", "--yes", "--target", app]);
    await ok(["new", "github", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records", "public.github_records"]);

    const roles = (
      await db.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean; rolbypassrls: boolean }>(
        `select rolname, rolcanlogin, rolsuper, rolbypassrls from pg_roles where rolname in
           ('nexus_integrate_function', 'nexus_integrate_fn_hubspot', 'nexus_integrate_fn_github', 'nexus_integrate_wh_hubspot') order by rolname`,
      )
    ).rows;
    expect(roles.map((r) => r.rolname)).toEqual(["nexus_integrate_fn_github", "nexus_integrate_fn_hubspot", "nexus_integrate_function", "nexus_integrate_wh_hubspot"]);
    for (const role of roles) expect(role, role.rolname).toMatchObject({ rolcanlogin: false, rolsuper: false, rolbypassrls: false });

    const user = "44444444-4444-4444-8444-444444444444";
    await db.query("insert into auth.users (id, email) values ($1, 'probe@example.com')", [user]);
    for (const [id, name] of [["hubspot", "HubSpot"], ["github", "GitHub"]]) {
      await db.query("insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status) values ($1, $2, $3, 'connected')", [user, id, name]);
      await db.query("insert into nexus_integrate.oauth_tokens (user_id, provider, access_token) values ($1, $2, 'v2.k.iv.sealed')", [user, id]);
      await db.query(`insert into public.${id}_records (user_id, external_id, data) values ($1, 'r1', '{}')`, [user]);
    }
    const denied = async (role: `nexus_integrate_${string}`, text: string) => {
      const error = await db.asRole(role, null, (tx) => tx.query(text)).then(() => null, (e: Error) => e);
      expect(error?.message, `${role}: ${text}`).toMatch(/permission denied/);
    };

    const fn = "nexus_integrate_fn_hubspot";
    await denied(fn, "select id from auth.users");
    await denied(fn, "select id from public.profiles");
    await denied(fn, `insert into public.github_records (user_id, external_id, data) values ('${user}', 'x', '{}')`);
    await denied(fn, "select * from public.github_records");
    await denied(fn, "select * from nexus_integrate.admin_rule");
    await denied(fn, "select nexus_integrate.dispatch_sync('hubspot')");
    await denied(fn, "insert into nexus_integrate.integrations (id, records_table) values ('evil', 'profiles')");
    // Its own integration's rows, and only those, in the shared tables.
    await db.asRole(fn, null, async (tx) => {
      expect((await tx.query("select provider from nexus_integrate.oauth_tokens")).rows).toEqual([{ provider: "hubspot" }]);
      expect((await tx.query("select integration_id from public.nexus_user_integrations")).rows).toEqual([{ integration_id: "hubspot" }]);
      expect((await tx.query("select id from nexus_integrate.integrations")).rows).toEqual([{ id: "hubspot" }]);
      expect((await tx.query("update nexus_integrate.oauth_tokens set scope = 'x' where provider = 'github'")).affectedRows).toBe(0);
      expect((await tx.query("delete from public.nexus_user_integrations where integration_id = 'github'")).affectedRows).toBe(0);
      expect((await tx.query("select external_id from public.hubspot_records")).rows).toEqual([{ external_id: "r1" }]);
    });
    const moved = await db
      .asRole(fn, null, (tx) => tx.query(`update public.nexus_user_integrations set integration_id = 'github' where integration_id = 'hubspot'`))
      .then(() => null, (e: Error) => e);
    expect(moved?.message).toMatch(/row-level security/);
    // The job system's entry points (schema step 009) are the owner's alone: through them a function role could
    // take another integration's role.
    await denied(fn, "select * from nexus_integrate.claim_sync_job_as_integration('github', 'w', 60)");
    await denied(fn, `select nexus_integrate.queue_sync_now_as_integration('github', '${user}')`);
    // The owner's call runs under the integration's role, and the caller's role is back after it, within the
    // same statement.
    expect((await db.query(`select nexus_integrate.queue_sync_now_as_integration('github', '${user}') as holder`)).rows).toEqual([{ holder: "" }]);
    const claimed = await db.query<{ user_id: string; restored: boolean }>(
      "select c.user_id, current_user = session_user as restored from nexus_integrate.claim_sync_job_as_integration('github', 'probe', 60) c",
    );
    expect(claimed.rows).toEqual([{ user_id: user, restored: true }]);
    expect((await db.query(`select nexus_integrate.release_sync_job_as_integration('github', '${user}', 'probe', 0) as released`)).rows).toEqual([{ released: true }]);

    const wh = "nexus_integrate_wh_hubspot";
    await db.asRole(wh, null, async (tx) => {
      const insert = `insert into nexus_integrate.hubspot_webhook_events (replay_key, payload) values ('k1', '{}')`;
      expect((await tx.query(insert)).affectedRows).toBe(1);
    });
    // A replay is refused by the unique key (the receiver answers it as accepted); it cannot even be looked up.
    const replay = await db
      .asRole(wh, null, (tx) => tx.query(`insert into nexus_integrate.hubspot_webhook_events (replay_key, payload) values ('k1', '{}')`))
      .then(() => null, (e: Error) => e);
    expect(replay?.message).toMatch(/duplicate key/);
    await denied(wh, `insert into nexus_integrate.hubspot_webhook_events (replay_key, payload) values ('k2', '{}') on conflict (replay_key) do nothing`);
    await denied(wh, "select * from nexus_integrate.hubspot_webhook_events");
    await denied(wh, "select * from nexus_integrate.oauth_tokens");
    await denied(wh, "select * from public.nexus_user_integrations");
    await denied(wh, "select id from auth.users");
    await denied(wh, `select nexus_integrate.queue_sync_now_as_integration('hubspot', '${user}')`);
    await denied(wh, "insert into public.nexus_integration_events (user_id, integration_id, event_type) values (null, 'hubspot', 'webhook_received')");
  });
});

describe("remove", () => {
  it("drops every table the integration created, its webhook deliveries included, and nothing else", async () => {
    const app = copyExampleApp();
    const db = await database();
    await ok(["new", "slack", "--template", "advanced", "--yes", "--target", app]);
    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);
    const tables = async () =>
      (
        await db.query<{ t: string }>(
          `select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'r' and n.nspname in ('public', 'nexus_integrate') order by 1`,
        )
      ).rows.map((r) => r.t);
    expect(await tables()).toEqual(expect.arrayContaining(["nexus_integrate.slack_webhook_events", "public.slack_records"]));
    const others = (await tables()).filter((t) => !t.includes("slack"));
    await ok(["remove", "slack", "--yes", "--target", app]);
    await dbPush(app, db);
    expect(await tables()).toEqual(others);
    expect((await db.query("select id from nexus_integrate.integrations")).rows).toEqual([{ id: "hubspot" }]);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records"]);
  });
});

describe("the playbook fixture: a database that already has the playbook's tables, with rows", () => {
  it("new google-analytics applies beside them; the app's rows, its INSERTs and its functions' queries are untouched", async () => {
    const app = copyPlaybookApp();
    const db = await database();
    await dbPush(app, db, { includeSeed: true });
    const appRows = async () => ({
      integrations: (await db.query("select * from public.user_integrations order by id")).rows,
      tokens: (await db.query("select * from public.oauth_tokens order by id")).rows,
    });
    const rowsBefore = await appRows();
    expect(rowsBefore.tokens).toHaveLength(2);
    const baseline = await dbAdvisors(app, db);

    await ok(["init", "--yes", "--target", app]);
    await ok(["new", "google-analytics", "--yes", "--target", app]);
    await dbPush(app, db);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.google_analytics_records"], baseline);
    expect(await appRows(), "the app's own rows are neither dropped nor rewritten").toEqual(rowsBefore);

    // The playbook's own INSERTs still succeed afterwards.
    const carol = "33333333-3333-4333-8333-333333333333";
    await db.query("insert into auth.users (id, email) values ($1, 'carol@example.com')", [carol]);
    await db.exec(PLAYBOOK_INSERTS(carol));

    // The hand-written functions' queries, as PostgREST runs them for their service-role client.
    const hubspotIntegration = "5b6e9c0a-3f1d-4c2e-9a7b-1d2e3f4a5b6c";
    await db.asRole("service_role", null, async (tx) => {
      await tx.query(
        `insert into public.oauth_tokens (user_id, provider, access_token, refresh_token, expires_at, scope, updated_at)
         values ($1, 'hubspot', 'hs-access-carol', 'hs-refresh-carol', now() + interval '30 minutes', 'oauth', now())
         on conflict (user_id, provider) do update set access_token = excluded.access_token, refresh_token = excluded.refresh_token,
           expires_at = excluded.expires_at, scope = excluded.scope, updated_at = excluded.updated_at`,
        [carol],
      );
      const existing = await tx.query("select id from public.user_integrations where user_id = $1 and integration_id = $2", [carol, hubspotIntegration]);
      expect(existing.rows).toEqual([]);
      await tx.query(
        `insert into public.user_integrations (user_id, integration_id, integration_name, status, config, last_sync_at)
         values ($1, $2, 'HubSpot', 'connected', '{"account_info": {}}', now())`,
        [carol, hubspotIntegration],
      );
      const tokens = await tx.query<{ id: string }>(
        "select id, access_token, refresh_token, expires_at from public.oauth_tokens where user_id = $1 and provider = 'hubspot'",
        [carol],
      );
      await tx.query("update public.oauth_tokens set access_token = 'hs-access-carol-2', updated_at = now() where id = $1", [tokens.rows[0]!.id]);
      const synced = await tx.query("update public.user_integrations set last_sync_at = now(), updated_at = now() where user_id = $1 and integration_id = $2", [
        carol,
        hubspotIntegration,
      ]);
      expect(synced.affectedRows).toBe(1);
    });
    // Signed in, users still read their own playbook rows under the app's policies.
    const alice = "11111111-1111-4111-8111-111111111111";
    const bob = "22222222-2222-4222-8222-222222222222";
    const own = await db.asRole("authenticated", alice, (tx) => tx.query<{ integration_name: string }>("select integration_name from public.user_integrations"));
    expect(own.rows).toEqual([{ integration_name: "HubSpot" }]);

    // And the generated tables' row-level security holds on this database too.
    for (const user of [alice, bob]) {
      await db.query("insert into public.nexus_user_integrations (user_id, integration_id, integration_name) values ($1, 'google-analytics', 'Google Analytics')", [user]);
      await db.query("insert into public.google_analytics_records (user_id, external_id, data) values ($1, 'a1', '{}')", [user]);
    }
    await db.asRole("authenticated", alice, async (tx) => {
      expect((await tx.query("select user_id from public.nexus_user_integrations")).rows).toEqual([{ user_id: alice }]);
      expect((await tx.query("select user_id from public.google_analytics_records")).rows).toEqual([{ user_id: alice }]);
    });
    // nobody deletes a connection through the Data API (disconnect goes through the function, which revokes first)
    await expect(
      db.asRole("authenticated", alice, (tx) => tx.query("delete from public.nexus_user_integrations where user_id = $1", [bob])),
    ).rejects.toThrow(/permission denied/);
    for (const [role, user] of [["authenticated", alice], ["anon", null]] as const) {
      await expect(db.asRole(role, user, (tx) => tx.query("select * from nexus_integrate.oauth_tokens")), role).rejects.toThrow(/permission denied/);
    }
    await expect(db.asRole("anon", null, (tx) => tx.query("select * from public.nexus_user_integrations"))).rejects.toThrow(/permission denied/);
  });
});

describe("a tool upgrade whose shared schema gains a step", () => {
  it("regenerate --all writes exactly one new migration, it applies, --check passes and the advisor stays quiet", async () => {
    const app = copyExampleApp();
    const db = await database();
    await ok(["new", "hubspot", "--yes", "--target", app]);
    await dbPush(app, db);

    const v2 = makeToolCopy();
    v2.addTemplate(
      "basic/shared/supabase/migrations/{{timestamp}}_nexus_integrate_003_connection_sync_cursor.sql.hbs",
      [
        "-- Generated by nexus-integrate: where the next sync resumes (schema step 003).",
        "alter table public.nexus_user_integrations add column sync_cursor text;",
        "",
        "create index nexus_user_integrations_status_idx on public.nexus_user_integrations (status);",
        "",
      ].join("\n"),
    );
    const stale = await cli(["regenerate", "--all", "--check", "--target", app], {}, v2.bin);
    expect(stale.exitCode, stale.stdout + stale.stderr).toBe(1);
    expect(stale.stdout + stale.stderr).toContain("shared/003_connection_sync_cursor");

    const before = snapshotTree(app);
    await ok(["regenerate", "--all", "--target", app], {}, v2.bin);
    const added = Object.keys(snapshotTree(app)).filter((f) => !(f in before));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^supabase\/migrations\/\d{14}_nexus_integrate_003_connection_sync_cursor\.sql$/);

    await dbPush(app, db);
    const column = await db.query("select 1 from information_schema.columns where table_name = 'nexus_user_integrations' and column_name = 'sync_cursor'");
    expect(column.rows).toHaveLength(1);
    await ok(["regenerate", "--all", "--check", "--target", app], {}, v2.bin);
    await expectAdvisorsQuiet(app, db, [...SHARED_READABLE, "public.hubspot_records"]);
  });
});
