// A local stand-in for Supabase's API gateway, run by Deno in tests. It imports the generated functions'
// real index.ts files (capturing the handler each passes to Deno.serve), routes /functions/v1/<name> to the
// function, and answers Supabase Auth's /auth/v1/user and /auth/v1/.well-known/jwks.json, so the generated
// runtime (supabase-js getClaims / getUser) runs unchanged. It signs nothing; it verifies user JWTs the way
// the project's keys say:
//   - legacy keys: HS256 with the project's JWT secret (env JWT_SECRET);
//   - new keys: ES256 with a key published in the project's JWKS (env JWKS, a JSON {"keys":[…]}).
// Like Supabase, it checks the JWT before a function runs only when supabase/config.toml does not set
// `verify_jwt = false` for that function.
//
// It also answers simple PostgREST reads (GET /rest/v1/<table>?select=a,b&col=eq.v) and function calls
// (POST /rest/v1/rpc/<fn>) against the same database, as the caller's role with its JWT claims, so row-level
// security and grants apply as in Supabase.
//
// Usage: deno run -A gateway.deno.ts <functions dir> <function name>...   (env: JWT_SECRET and/or JWKS,
// SUPABASE_DB_URL and the functions' secrets). Prints "READY <port>" when it listens on 127.0.0.1.
import postgres from "npm:postgres@3.4.9";

const [functionsDir, ...names] = Deno.args;
if (!functionsDir || names.length === 0) throw new Error("usage: gateway.deno.ts <functions dir> <name>...");
const jwtSecret = Deno.env.get("JWT_SECRET");
const jwks = JSON.parse(Deno.env.get("JWKS") ?? '{"keys":[]}') as { keys: (JsonWebKey & { kid?: string })[] };
if (!jwtSecret && jwks.keys.length === 0) throw new Error("JWT_SECRET or JWKS is required");

const encoder = new TextEncoder();
const hmacKey = jwtSecret
  ? await crypto.subtle.importKey("raw", encoder.encode(jwtSecret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
  : null;

function b64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const normalized = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(normalized + "=".repeat((4 - (normalized.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function verifySignature(header: Record<string, unknown>, signed: string, signature: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (header.alg === "HS256") return hmacKey !== null && (await crypto.subtle.verify("HMAC", hmacKey, signature, encoder.encode(signed)));
  if (header.alg === "ES256") {
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return false;
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, encoder.encode(signed));
  }
  return false;
}

async function verifyJwt(req: Request): Promise<Record<string, unknown> | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("Authorization") ?? "");
  if (!match) return null;
  const [header, payload, signature] = match[1]!.split(".");
  if (!header || !payload || !signature) return null;
  let parsedHeader: Record<string, unknown>;
  try {
    parsedHeader = JSON.parse(new TextDecoder().decode(b64urlToBytes(header))) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!(await verifySignature(parsedHeader, `${header}.${payload}`, b64urlToBytes(signature)))) return null;
  const claims = JSON.parse(new TextDecoder().decode(b64urlToBytes(payload))) as Record<string, unknown>;
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

/** Functions whose `[functions.<name>]` block in supabase/config.toml sets verify_jwt = false. */
async function functionsWithoutJwtCheck(): Promise<Set<string>> {
  const without = new Set<string>();
  let toml = "";
  try {
    toml = await Deno.readTextFile(new URL("../config.toml", `file://${functionsDir!.replace(/\/?$/, "/")}`));
  } catch {
    return without;
  }
  let current: string | null = null;
  for (const line of toml.split("\n")) {
    const table = /^\s*\[functions\.([A-Za-z0-9_-]+)\]\s*$/.exec(line);
    if (table) current = table[1]!;
    else if (/^\s*\[/.test(line)) current = null;
    else if (current && /^\s*verify_jwt\s*=\s*false\s*$/.test(line)) without.add(current);
  }
  return without;
}
const noJwtCheck = await functionsWithoutJwtCheck();

const cors = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
};

const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 1, prepare: false });
const NAME = /^[a-z_][a-z0-9_]*$/;

async function restRead(req: Request, url: URL): Promise<Response> {
  const table = url.pathname.slice("/rest/v1/".length);
  const claims = await verifyJwt(req);
  const role = claims ? "authenticated" : "anon";
  const columns = (url.searchParams.get("select") ?? "*").split(",").map((c) => c.trim());
  if (!NAME.test(table) || !columns.every((c) => c === "*" || NAME.test(c))) return json({ message: "unsupported query" }, 400);
  const where: string[] = [];
  const params: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (["select", "order", "limit", "offset"].includes(key)) continue;
    if (!NAME.test(key) || !value.startsWith("eq.")) return json({ message: `unsupported filter ${key}` }, 400);
    params.push(value.slice(3));
    where.push(`"${key}" = $${params.length}`);
  }
  const limit = Number(url.searchParams.get("limit") ?? "1000");
  const query = `select ${columns.map((c) => (c === "*" ? c : `"${c}"`)).join(", ")} from public."${table}"${where.length ? ` where ${where.join(" and ")}` : ""} limit ${Math.min(limit, 1000)}`;
  try {
    const rows = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims ?? { role: "anon" })}, true)`;
      await tx.unsafe(`set local role ${role}`);
      return await tx.unsafe(query, params);
    });
    if ((req.headers.get("Accept") ?? "").includes("vnd.pgrst.object")) {
      return rows.length === 1 ? json(rows[0]) : json({ code: "PGRST116", message: "not one row" }, 406);
    }
    return json([...rows]);
  } catch (error) {
    return json({ message: (error as Error).message }, 400);
  }
}
/**
 * PostgREST's function calls (POST /rest/v1/rpc/<fn> with named arguments as a JSON object), as the caller's role
 * with its JWT claims. Errors come back as PostgREST sends them: { code, message }, 403 for a signed-in caller
 * refused with 42501 (401 for anon), else 400.
 */
async function restRpc(req: Request, url: URL): Promise<Response> {
  const fn = url.pathname.slice("/rest/v1/rpc/".length);
  const claims = await verifyJwt(req);
  const role = claims ? "authenticated" : "anon";
  const args = (await req.json().catch(() => ({}))) as Record<string, unknown>;
  if (!NAME.test(fn) || !Object.keys(args).every((k) => NAME.test(k))) return json({ message: "unsupported call" }, 400);
  const names = Object.keys(args);
  const query = `select public."${fn}"(${names.map((n, i) => `"${n}" => $${i + 1}`).join(", ")}) as result`;
  try {
    const rows = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims ?? { role: "anon" })}, true)`;
      await tx.unsafe(`set local role ${role}`);
      return await tx.unsafe(query, names.map((n) => args[n]) as never[]);
    });
    return json(rows[0]?.result ?? null);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return json({ code, message: (error as Error).message, details: null, hint: null }, code === "42501" ? (claims ? 403 : 401) : 400);
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { ...cors, "Content-Type": "application/json" } });

const handlers = new Map<string, (req: Request) => Response | Promise<Response>>();
const realServe = Deno.serve.bind(Deno);

const server = realServe({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  const url = new URL(req.url);
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
  if (url.pathname === "/auth/v1/.well-known/jwks.json") return json({ keys: jwks.keys });
  if (url.pathname === "/auth/v1/user") {
    const claims = await verifyJwt(req);
    if (!claims) return json({ code: 401, msg: "invalid JWT" }, 401);
    return json({ id: claims.sub, aud: "authenticated", role: claims.role ?? "authenticated", email: claims.email ?? null });
  }
  if (url.pathname.startsWith("/rest/v1/rpc/") && req.method === "POST") return restRpc(req, url);
  if (url.pathname.startsWith("/rest/v1/") && req.method === "GET") return restRead(req, url);
  const fn = /^\/functions\/v1\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
  const handler = fn ? handlers.get(fn) : undefined;
  if (!handler) return json({ error: "not_found" }, 404);
  if (!noJwtCheck.has(fn!) && !(await verifyJwt(req))) return json({ code: 401, message: "Invalid JWT" }, 401);
  // Like Supabase's, the function sees its own path only (/<name>), not the host and /functions/v1 the caller used.
  const inner = new Request(`http://localhost:9999/${fn}${url.search}`, req);
  // Supabase's gateway passes a function's response through as it is: CORS is the function's own.
  return await handler(inner);
});

// SUPABASE_URL: this gateway, or (GATEWAY_PUBLIC_URL) the public URL a hosted project has, which is not where the
// requests arrive.
Deno.env.set("SUPABASE_URL", Deno.env.get("GATEWAY_PUBLIC_URL") || `http://127.0.0.1:${server.addr.port}`);

for (const name of names) {
  let captured: ((req: Request) => Response | Promise<Response>) | undefined;
  // deno-lint-ignore no-explicit-any
  (Deno as any).serve = (...args: unknown[]) => {
    captured = args.find((a) => typeof a === "function") as typeof captured;
    return { finished: Promise.resolve(), addr: { port: 0 }, shutdown: async () => {}, ref() {}, unref() {} };
  };
  await import(new URL(`${name}/index.ts`, `file://${functionsDir.replace(/\/?$/, "/")}`).href);
  if (!captured) throw new Error(`${name}/index.ts did not call Deno.serve`);
  handlers.set(name, captured);
}
// deno-lint-ignore no-explicit-any
(Deno as any).serve = realServe;

console.log(`READY ${server.addr.port}`);
