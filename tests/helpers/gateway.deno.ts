// A local stand-in for Supabase's API gateway, run by Deno in tests. It imports the generated functions'
// real index.ts files (capturing the handler each passes to Deno.serve), checks the caller's JWT the way
// Supabase does (HS256 with the project's JWT secret), routes /functions/v1/<name> to the function, and
// answers /auth/v1/user like Supabase Auth, so the generated runtime (supabase-js getUser) runs unchanged.
//
// It also answers simple PostgREST reads (GET /rest/v1/<table>?select=a,b&col=eq.v) against the same
// database, as the caller's role with its JWT claims, so row-level security applies as in Supabase.
//
// Usage: deno run -A gateway.deno.ts <functions dir> <function name>...   (env: JWT_SECRET, SUPABASE_DB_URL
// and the functions' secrets). Prints "READY <port>" when it listens on 127.0.0.1.
import postgres from "npm:postgres@3";

const [functionsDir, ...names] = Deno.args;
if (!functionsDir || names.length === 0) throw new Error("usage: gateway.deno.ts <functions dir> <name>...");
const jwtSecret = Deno.env.get("JWT_SECRET");
if (!jwtSecret) throw new Error("JWT_SECRET is required");

const encoder = new TextEncoder();
const hmacKey = await crypto.subtle.importKey("raw", encoder.encode(jwtSecret), { name: "HMAC", hash: "SHA-256" }, false, [
  "verify",
]);

function b64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const normalized = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(normalized + "=".repeat((4 - (normalized.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function verifyJwt(req: Request): Promise<Record<string, unknown> | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("Authorization") ?? "");
  if (!match) return null;
  const [header, payload, signature] = match[1]!.split(".");
  if (!header || !payload || !signature) return null;
  const ok = await crypto.subtle.verify("HMAC", hmacKey, b64urlToBytes(signature), encoder.encode(`${header}.${payload}`));
  if (!ok) return null;
  const claims = JSON.parse(new TextDecoder().decode(b64urlToBytes(payload))) as Record<string, unknown>;
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

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
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { ...cors, "Content-Type": "application/json" } });

const handlers = new Map<string, (req: Request) => Response | Promise<Response>>();
const realServe = Deno.serve.bind(Deno);

const server = realServe({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  const url = new URL(req.url);
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
  if (url.pathname === "/auth/v1/user") {
    const claims = await verifyJwt(req);
    if (!claims) return json({ code: 401, msg: "invalid JWT" }, 401);
    return json({ id: claims.sub, aud: "authenticated", role: claims.role ?? "authenticated", email: claims.email ?? null });
  }
  if (url.pathname.startsWith("/rest/v1/") && req.method === "GET") return restRead(req, url);
  const fn = /^\/functions\/v1\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
  const handler = fn ? handlers.get(fn) : undefined;
  if (!handler) return json({ error: "not_found" }, 404);
  // Webhook functions are deployed with verify_jwt = false (supabase/config.toml): their signature authenticates.
  if (!fn!.endsWith("-webhooks") && !(await verifyJwt(req))) return json({ code: 401, message: "Invalid JWT" }, 401);
  const response = await handler(req);
  const headers = new Headers(response.headers);
  headers.set("Access-Control-Allow-Origin", "*");
  return new Response(response.body, { status: response.status, headers });
});

Deno.env.set("SUPABASE_URL", `http://127.0.0.1:${server.addr.port}`);

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
