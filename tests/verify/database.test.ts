import type { PGlite } from "@electric-sql/pglite";
import { beforeAll, describe, expect, it } from "vitest";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";
import { applyMigrations, asRole, createSupabaseDb, createUser } from "../helpers/supabase-shim.js";

/**
 * Layer 2: the generated migrations applied to a real Postgres (PGlite) behind a Supabase shim, with the
 * row-level security asserted through real queries as `anon` and `authenticated` users.
 */
const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

let db: PGlite;
let applied: string[];

async function seed(): Promise<void> {
  // What the edge functions (connected as the owner) write.
  for (const [user, status] of [
    [A, "connected"],
    [B, "needs_reauth"],
  ] as const) {
    await db.query(
      `insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status) values ($1, 'hubspot', 'HubSpot', $2)`,
      [user, status],
    );
    await db.query(
      `insert into nexus_integrate.oauth_tokens (user_id, provider, access_token, refresh_token) values ($1, 'hubspot', 'v1.iv.ct', 'v1.iv.rt')`,
      [user],
    );
    await db.query(
      `insert into nexus_integrate.oauth_states (state_hash, user_id, provider, redirect_uri, expires_at)
       values ($1, $2, 'hubspot', 'http://localhost:5173/integrations/hubspot/callback', now() + interval '10 minutes')`,
      [`hash-${user}`, user],
    );
    await db.query(
      `insert into public.hubspot_records (user_id, external_id, data) values ($1, 'c1', '{"name": "x"}')`,
      [user],
    );
  }
  const events: [string, string, number | null][] = [
    [A, "oauth_initiated", null],
    [A, "oauth_initiated", null],
    [A, "oauth_initiated", null],
    [A, "oauth_initiated", null],
    [A, "oauth_completed", 1200],
    [A, "oauth_completed", 800],
    [A, "oauth_completed", 1000],
    [A, "oauth_failed", null],
    [A, "token_refreshed", null],
    [A, "token_refreshed", null],
    [A, "token_refreshed", null],
    [A, "token_refresh_failed", null],
    [A, "data_synced", 1500],
    [A, "data_synced", 2500],
    [A, "sync_failed", null],
    [B, "oauth_initiated", null],
    [B, "oauth_failed", null],
  ];
  for (const [user, type, duration] of events) {
    await db.query(
      "insert into public.nexus_integration_events (user_id, integration_id, event_type, duration_ms) values ($1, 'hubspot', $2, $3)",
      [user, type, duration],
    );
  }
}

beforeAll(async () => {
  const app = copyExampleApp();
  await generate(app, "hubspot");
  await generate(app, "google-analytics");
  db = await createSupabaseDb();
  await createUser(db, A, "a@example.com");
  await createUser(db, B, "b@example.com");
  applied = await applyMigrations(db, app);
  await seed();
}, 60_000);

describe("generated migrations on Postgres", () => {
  it("apply in file-name order, the second integration on top of the first", () => {
    expect(applied).toHaveLength(16);
    expect(applied[0]).toMatch(/_profiles\.sql$/);
    expect(applied[1]).toMatch(/_nexus_integrate_001_schema\.sql$/);
    expect(applied[2]).toMatch(/_nexus_integrate_002_legacy_tokens\.sql$/);
    expect(applied[3]).toMatch(/_nexus_integrate_003_sync_jobs\.sql$/);
    expect(applied[4]).toMatch(/_nexus_integrate_004_health\.sql$/);
    expect(applied[5]).toMatch(/_nexus_integrate_005_key_ring\.sql$/);
    expect(applied[6]).toMatch(/_nexus_integrate_006_disconnect_through_function\.sql$/);
    expect(applied[7]).toMatch(/_nexus_integrate_007_function_roles\.sql$/);
    expect(applied[8]).toMatch(/_nexus_integrate_008_revocation_events\.sql$/);
    expect(applied[9]).toMatch(/_nexus_integrate_009_job_calls_take_role\.sql$/);
    expect(applied.slice(10).map((f) => f.replace(/^\d+_/, ""))).toEqual([
      "hubspot_001_integration.sql",
      "hubspot_003_sync_schedule.sql",
      "hubspot_004_function_role.sql",
      "google_analytics_001_integration.sql",
      "google_analytics_003_sync_schedule.sql",
      "google_analytics_004_function_role.sql",
    ]);
  });

  it("register both integrations", async () => {
    const { rows } = await db.query<{ id: string }>("select id from nexus_integrate.integrations order by id");
    expect(rows).toEqual([{ id: "google-analytics" }, { id: "hubspot" }]);
  });

  it("turn row-level security on for every table they create", async () => {
    const { rows } = await db.query<{ relname: string; relrowsecurity: boolean }>(
      `select n.nspname || '.' || c.relname as relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'nexus_integrate') and c.relkind = 'r' order by 1`,
    );
    expect(rows.filter((r) => r.relname !== "public.profiles")).toEqual(
      [
        "nexus_integrate.admin_rule",
        "nexus_integrate.event_counts",
        "nexus_integrate.integrations",
        "nexus_integrate.legacy_tokens",
        "nexus_integrate.oauth_states",
        "nexus_integrate.oauth_tokens",
        "nexus_integrate.request_budgets",
        "nexus_integrate.sync_jobs",
        "public.google_analytics_records",
        "public.hubspot_records",
        "public.nexus_integration_events",
        "public.nexus_user_integrations",
      ].map((relname) => ({ relname, relrowsecurity: true })),
    );
  });
});

describe("row-level security", () => {
  it("user A reads only A's integrations, events and records", async () => {
    await asRole(db, "authenticated", A, async (tx) => {
      const integrations = await tx.query<{ user_id: string }>("select user_id from public.nexus_user_integrations");
      expect(integrations.rows).toEqual([{ user_id: A }]);
      const events = await tx.query<{ n: number }>("select count(*)::int as n from public.nexus_integration_events where user_id <> $1", [A]);
      expect(events.rows[0]!.n).toBe(0);
      const records = await tx.query<{ user_id: string }>("select user_id from public.hubspot_records");
      expect(records.rows).toEqual([{ user_id: A }]);
    });
  });

  it("user A cannot change or delete B's integration, nor insert one", async () => {
    // Only the functions write connections: signed-in users have no UPDATE, INSERT or DELETE privilege at all.
    await expect(
      asRole(db, "authenticated", A, (tx) => tx.query("delete from public.nexus_user_integrations where user_id = $1", [B])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asRole(db, "authenticated", A, (tx) => tx.query("update public.nexus_user_integrations set status = 'connected' where user_id = $1", [B])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asRole(db, "authenticated", A, (tx) =>
        tx.query("insert into public.nexus_user_integrations (user_id, integration_id, integration_name) values ($1, 'google-analytics', 'x')", [A]),
      ),
    ).rejects.toThrow(/permission denied/);
    const { rows } = await db.query<{ status: string }>("select status from public.nexus_user_integrations where user_id = $1", [B]);
    expect(rows).toEqual([{ status: "needs_reauth" }]);
  });

  it("user A cannot delete even their own connection through the Data API (that would skip the provider's revocation); the function's delete takes their tokens and synced records", async () => {
    await expect(
      asRole(db, "authenticated", A, (tx) => tx.query("delete from public.nexus_user_integrations where user_id = $1", [A])),
    ).rejects.toThrow(/permission denied/);
    // What the exchange function does on disconnect, after revoking at the provider
    const deleted = await db.query("delete from public.nexus_user_integrations where user_id = $1", [A]);
    expect(deleted.affectedRows).toBe(1);
    const left = await db.query<{ user_id: string }>("select user_id from public.nexus_user_integrations order by user_id");
    expect(left.rows).toEqual([{ user_id: B }]);
    const tokens = await db.query<{ user_id: string }>("select user_id from nexus_integrate.oauth_tokens order by user_id");
    expect(tokens.rows).toEqual([{ user_id: B }]);
    const records = await db.query<{ user_id: string }>("select user_id from public.hubspot_records order by user_id");
    expect(records.rows).toEqual([{ user_id: B }]);
    // put A back for the remaining tests
    await db.query(
      `insert into public.nexus_user_integrations (user_id, integration_id, integration_name) values ($1, 'hubspot', 'HubSpot')`,
      [A],
    );
    await db.query(`insert into public.hubspot_records (user_id, external_id, data) values ($1, 'c1', '{"name": "x"}')`, [A]);
  });

  it.each(["authenticated", "anon"] as const)("%s cannot read oauth_tokens or oauth_states at all", async (role) => {
    for (const table of ["oauth_tokens", "oauth_states"]) {
      await expect(asRole(db, role, role === "anon" ? null : A, (tx) => tx.query(`select * from nexus_integrate.${table}`))).rejects.toThrow(
        /permission denied/,
      );
    }
  });

  it("neither anon nor authenticated holds any privilege on a table of the private schema (its USAGE is for two functions)", async () => {
    const { rows } = await db.query<{ grantee: string; table_name: string; privilege_type: string }>(
      `select grantee, table_name, privilege_type from information_schema.role_table_grants
       where table_schema = 'nexus_integrate' and grantee in ('anon', 'authenticated', 'PUBLIC') order by 1, 2, 3`,
    );
    expect(rows).toEqual([]);
    const tables = await db.query<{ n: number }>("select count(*)::int as n from pg_tables where schemaname = 'nexus_integrate'");
    expect(tables.rows[0]!.n).toBeGreaterThan(3);
    for (const table of ["oauth_tokens", "oauth_states", "sync_jobs", "legacy_tokens"]) {
      const { rows: held } = await db.query<{ any: boolean }>(
        `select has_table_privilege('authenticated', $1, 'select, insert, update, delete, truncate, references, trigger') as any`,
        [`nexus_integrate.${table}`],
      );
      expect([table, held[0]!.any]).toEqual([table, false]);
    }
  });

  it("anon has no privilege on the generated tables, although Supabase grants new public tables to it", async () => {
    for (const table of ["nexus_user_integrations", "nexus_integration_events", "nexus_integration_metrics", "hubspot_records"]) {
      await expect(asRole(db, "anon", null, (tx) => tx.query(`select * from public.${table}`)), table).rejects.toThrow(/permission denied/);
    }
  });

  it("the token columns refuse plaintext", async () => {
    await expect(
      db.query("update nexus_integrate.oauth_tokens set access_token = 'ya29.plaintext-token' where user_id = $1", [B]),
    ).rejects.toThrow(/check constraint/);
  });
});

describe("integration_metrics", () => {
  it("computes the playbook's rates from events (service role sees everyone)", async () => {
    const { rows } = await asRole(db, "service_role", null, (tx) =>
      tx.query<Record<string, unknown>>("select * from public.nexus_integration_metrics where integration_id = 'hubspot'"),
    );
    expect(rows[0]).toMatchObject({
      oauth_initiated: 5,
      oauth_completed: 3,
      oauth_failed: 2,
      oauth_success_rate: "60.00",
      token_refresh_rate: "75.00",
      data_sync_success: "66.67",
      error_rate: (Math.round((10000 * 4) / 17) / 100).toFixed(2),
      avg_sync_duration: "2.000",
      connected_users: 1,
    });
  });

  it("shows a user figures from their own events only", async () => {
    const { rows } = await asRole(db, "authenticated", B, (tx) =>
      tx.query<Record<string, unknown>>("select oauth_initiated, oauth_failed, oauth_success_rate from public.nexus_integration_metrics"),
    );
    expect(rows).toEqual([{ oauth_initiated: 1, oauth_failed: 1, oauth_success_rate: "0.00" }]);
  });
});
