import { execa } from "execa";
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { expectAdvisorsQuiet, SHARED_READABLE } from "../helpers/advisors.js";
import { BIN } from "../helpers/fixtures.js";
import { dbAdvisors } from "../helpers/postgres.js";
import { CLIENT_ID, decryptStored, startStack, USER_A, type Stack } from "../helpers/oauth-stack.js";

/**
 * `adopt` on the playbook fixture, whose hand-written HubSpot integration has two users connected the playbook's
 * way (plaintext tokens in oauth_tokens and in user_integrations.config; Alice's about to expire). After
 * `adopt hubspot --yes` and `supabase db push`, both sync through the generated functions without reconnecting,
 * their tokens end up encrypted, no plaintext token is left in any table, and a third user connects through the
 * generated flow.
 */
const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";
const SYNC = "hubspot-sync";
const EXCHANGE = "hubspot-exchange-tokens";
const PLAINTEXT = ["hs-access-alice", "hs-refresh-alice", "hs-access-bob", "hs-refresh-bob"];

let stack: Stack;
/** Supabase's advisor on the playbook's database before anything was adopted (its own findings). */
let baseline: Awaited<ReturnType<typeof dbAdvisors>>;
/** What a browser with Alice's credentials could read right after the adoption migration. */
let aliceCouldRead: string;

async function doctorFindings(): Promise<{ check: string; ok: boolean; message: string }[]> {
  const result = await execa("node", [BIN, "doctor", "--json", "--db-url", stack.db.url, "--target", stack.app], { reject: false, stdin: "ignore" });
  return (JSON.parse(result.stdout) as { findings: { check: string; ok: boolean; message: string }[] }).findings;
}

/** Every row of every table of the app's and ours, as text. */
async function everyRow(): Promise<string> {
  const { rows: tables } = await stack.db.query<{ t: string }>(
    `select format('%I.%I', n.nspname, c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname in ('public', 'nexus_integrate', 'auth')`,
  );
  const dumps: string[] = [];
  for (const { t } of tables) dumps.push(JSON.stringify((await stack.db.query(`select * from ${t}`)).rows));
  return dumps.join("\n");
}

beforeAll(async () => {
  stack = await startStack({
    preset: "hubspot",
    adopt: {
      async prepare(db) {
        baseline = await dbAdvisors(tmpdir(), db);
        // Bob's token is good for an hour; Alice's expires in a minute: her first sync refreshes.
        await db.query("update public.oauth_tokens set expires_at = now() + interval '1 hour' where user_id = $1", [BOB]);
        await db.query("update public.oauth_tokens set expires_at = now() + interval '1 minute' where user_id = $1", [ALICE]);
      },
    },
  });
  aliceCouldRead = JSON.stringify(
    await stack.db.asRole("authenticated", ALICE, async (tx) => [
      (await tx.query("select * from public.oauth_tokens")).rows,
      (await tx.query("select * from public.user_integrations")).rows,
    ]),
  );
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe("adopt hubspot on the playbook fixture, users connected the playbook's way", () => {
  it("from the moment the adoption migration applies, no token is readable with a browser's credentials", () => {
    for (const token of PLAINTEXT) expect(aliceCouldRead).not.toContain(token);
    expect(aliceCouldRead).toContain("alice.hubspot.com"); // the rest of her row is still hers to read
  });

  it("carries the connections over (status, last sync) and keeps the app's own rows, without their tokens", async () => {
    const { rows } = await stack.db.query<{ user_id: string; status: string; last_sync_at: Date | null; config: { account?: { hub_domain?: string } } }>(
      "select user_id, status, last_sync_at, config from public.nexus_user_integrations where integration_id = 'hubspot' order by user_id",
    );
    expect(rows.map((r) => [r.user_id, r.status, r.config.account?.hub_domain])).toEqual([
      [ALICE, "connected", "alice.hubspot.com"],
      [BOB, "connected", "bob.hubspot.com"],
    ]);
    expect(rows.every((r) => r.last_sync_at !== null)).toBe(true);
    const legacy = await stack.db.query<{ n: number }>("select count(*)::int as n from public.user_integrations");
    expect(legacy.rows[0]!.n).toBe(2);
  });

  it("doctor --db-url counts the plaintext tokens still waiting, and the migrations are applied", async () => {
    const found = await doctorFindings();
    expect(found).toContainEqual(expect.objectContaining({ check: "database-migrations", ok: true }));
    expect(found).toContainEqual(
      expect.objectContaining({
        check: "legacy-tokens",
        ok: false,
        message: "plaintext tokens moved by adopt, not yet encrypted: hubspot 2 (in nexus_integrate.legacy_tokens, which no browser can read)",
      }),
    );
  });

  it("both users sync without reconnecting; the expiring one refreshes; their tokens are ciphertext afterwards", async () => {
    stack.apiQueue.push({ status: 200, body: { results: [{ id: "c-bob" }] } });
    const bob = await stack.call(SYNC, BOB);
    expect(bob.status, bob.text).toBe(200);
    expect(stack.apiRequests.at(-1)!.authorization).toBe("Bearer hs-access-bob");
    expect(stack.issued.filter((t) => t.grant === "refresh_token")).toHaveLength(0);

    stack.apiQueue.push({ status: 200, body: { results: [{ id: "c-alice" }] } });
    const alice = await stack.call(SYNC, ALICE);
    expect(alice.status, alice.text).toBe(200);
    const refreshed = stack.issued.filter((t) => t.grant === "refresh_token");
    expect(refreshed).toHaveLength(1);
    expect(stack.spentRefreshTokens.has("hs-refresh-alice")).toBe(true);
    expect(stack.apiRequests.at(-1)!.authorization).toBe(`Bearer ${refreshed[0]!.accessToken}`);

    const { rows } = await stack.db.query<{ user_id: string; access_token: string; refresh_token: string | null }>(
      "select user_id, access_token, refresh_token from nexus_integrate.oauth_tokens where provider = 'hubspot' order by user_id",
    );
    expect(rows.map((r) => r.user_id)).toEqual([ALICE, BOB]);
    for (const row of rows) expect(row.access_token).toMatch(/^v2\./);
    expect(await decryptStored(rows[1]!.access_token, `hubspot:${BOB}:access_token`)).toBe("hs-access-bob");
    expect(await decryptStored(rows[0]!.access_token, `hubspot:${ALICE}:access_token`)).toBe(refreshed[0]!.accessToken);
    const records = await stack.db.query<{ user_id: string; external_id: string }>("select user_id, external_id from public.hubspot_records order by user_id");
    expect(records.rows).toEqual([
      { user_id: ALICE, external_id: "c-alice" },
      { user_id: BOB, external_id: "c-bob" },
    ]);
  });

  it("no plaintext token remains in any table", async () => {
    const legacy = await stack.db.query("select 1 from nexus_integrate.legacy_tokens");
    expect(legacy.rows).toEqual([]);
    expect(await doctorFindings()).toContainEqual(expect.objectContaining({ check: "legacy-tokens", ok: true }));
    const dump = await everyRow();
    for (const token of [...PLAINTEXT, ...stack.issued.flatMap((t) => [t.accessToken, t.refreshToken ?? "-"])]) {
      expect(dump, token).not.toContain(token);
    }
  });

  it("doctor --db-url finds plaintext the hand-written functions write after the adoption (still deployed)", async () => {
    expect(await doctorFindings()).toContainEqual(expect.objectContaining({ check: "adopted-plaintext", ok: true }));
    const carol = "33333333-3333-4333-8333-333333333333";
    await stack.db.query("insert into auth.users (id, email) values ($1, 'carol@example.com') on conflict do nothing", [carol]);
    await stack.db.query("insert into public.oauth_tokens (user_id, provider, access_token) values ($1, 'hubspot', 'hs-access-carol')", [carol]);
    expect(await doctorFindings()).toContainEqual(
      expect.objectContaining({
        check: "adopted-plaintext",
        ok: false,
        message: expect.stringContaining("1 row(s) of public.oauth_tokens (provider hubspot) and 0 of public.user_integrations hold hubspot tokens in plaintext"),
      }),
    );
    await stack.db.query("delete from public.oauth_tokens where user_id = $1", [carol]);
  });

  it("Supabase's advisor finds nothing the adoption added but the documented INFO findings", async () => {
    await expectAdvisorsQuiet(stack.app, stack.db, [...SHARED_READABLE, "public.hubspot_records"], baseline);
  });

  it("a third user connects through the generated flow", async () => {
    const utils = (await import(pathToFileURL(path.join(stack.app, "src/services/integrations/hubspot/utils.ts")).href)) as {
      createHubSpotAuthUrl(params: { clientId: string; redirectUri: string; state: string; codeChallenge?: string | null }): string;
    };
    const started = await stack.call(EXCHANGE, USER_A, { action: "start", redirectUri: "http://localhost:5173/integrations/hubspot/callback" });
    expect(started.status, started.text).toBe(200);
    const body = started.body as { state: string; codeChallenge: string | null; redirectUri: string };
    const response = await fetch(utils.createHubSpotAuthUrl({ clientId: CLIENT_ID, redirectUri: body.redirectUri, state: body.state, codeChallenge: body.codeChallenge }), {
      redirect: "manual",
    });
    const callback = new URL(response.headers.get("location")!).search;
    const exchanged = await stack.call(EXCHANGE, USER_A, { action: "exchange", callback });
    expect(exchanged.status, exchanged.text).toBe(200);
    const { rows } = await stack.db.query<{ n: number }>("select count(*)::int as n from public.nexus_user_integrations where integration_id = 'hubspot'");
    expect(rows[0]!.n).toBe(3);
    const state = await stack.db.query("select used_at from nexus_integrate.oauth_states where state_hash = $1", [
      createHash("sha256").update(body.state).digest("hex"),
    ]);
    expect(state.rows).toHaveLength(1);
  });

  it("the app's own user_integrations stay truthful: a sync's last_sync_at, a new connection, needs_reauth and a disconnect are mirrored to its rows", async () => {
    const legacy = async (user: string) =>
      (await stack.db.query<{ status: string; last_sync_at: Date | null; n: number }>(
        "select status, max(last_sync_at) as last_sync_at, count(*)::int as n from public.user_integrations where user_id = $1 and integration_id = '5b6e9c0a-3f1d-4c2e-9a7b-1d2e3f4a5b6c' group by status",
        [user],
      )).rows;
    const ours = async (user: string) =>
      (await stack.db.query<{ status: string; last_sync_at: Date | null }>("select status, last_sync_at from public.nexus_user_integrations where user_id = $1 and integration_id = 'hubspot'", [user])).rows[0]!;
    // Bob synced through the generated function (above): his legacy row has that sync's time, not the seed's.
    expect((await legacy(BOB))[0]).toEqual({ status: "connected", last_sync_at: (await ours(BOB)).last_sync_at, n: 1 });
    // The third user connected after the move: the app's table has a row for them too.
    expect((await legacy(USER_A))[0]).toMatchObject({ status: "connected", n: 1 });
    // needs_reauth (a refresh the provider refused), as the functions write it.
    await stack.db.query("update public.nexus_user_integrations set status = 'needs_reauth' where user_id = $1 and integration_id = 'hubspot'", [ALICE]);
    expect((await legacy(ALICE))[0]).toMatchObject({ status: "needs_reauth", n: 1 });
    // A mirror the app's table refuses (its own check on status) warns, and the write to ours still commits.
    await stack.db.query("alter table public.user_integrations add constraint app_statuses check (status in ('connected', 'disconnected', 'needs_reauth'))");
    await stack.db.query("update public.nexus_user_integrations set status = 'error' where user_id = $1 and integration_id = 'hubspot'", [ALICE]);
    expect((await ours(ALICE)).status).toBe("error");
    expect((await legacy(ALICE))[0]).toMatchObject({ status: "needs_reauth" });
    await stack.db.query("alter table public.user_integrations drop constraint app_statuses");
    // A disconnect (the row goes): the app's row says disconnected, and stays (it is the app's).
    const disconnected = await stack.call(EXCHANGE, BOB, { action: "disconnect" });
    expect(disconnected.status, disconnected.text).toBe(200);
    expect((await legacy(BOB))[0]).toMatchObject({ status: "disconnected", n: 1 });
  });
});
