import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import type { IntegrationContext, SharedContext } from "../render/context.js";
import type { RepoConfig } from "./config.js";
import { resolveInside, type Target } from "./target.js";
import { viteDevUrl } from "./vite-config.js";

/**
 * What doctor can see of an app's local set-up: the env files Vite and the Supabase CLI read, and the dev server's
 * URL. Nothing here reads a deployed secret (`supabase secrets list` shows names, never values).
 */

/** The files Vite loads in development, most specific first (https://vite.dev/guide/env-and-mode#env-files). */
export const VITE_DEV_ENV_FILES = [".env.development.local", ".env.local", ".env.development", ".env"] as const;

export interface EnvFile {
  /** Relative to the app root. */
  file: string;
  values: Record<string, string>;
}

function readEnvFile(root: string, file: string): EnvFile | null {
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) return null;
  return { file, values: parseEnv(readFileSync(absolute, "utf8")) as Record<string, string> };
}

/** The first of Vite's dev env files that sets `name` to a non-empty value, or null. */
export function viteValue(root: string, name: string): { file: string; value: string } | null {
  for (const file of VITE_DEV_ENV_FILES) {
    const value = readEnvFile(root, file)?.values[name]?.trim();
    if (value) return { file, value };
  }
  return null;
}

/** `supabase/functions/.env`: what `supabase start` loads for the functions, and `functions serve --env-file` reads. */
export function functionEnv(target: Target, config: RepoConfig): EnvFile & { exists: boolean } {
  const file = path.relative(target.root, path.join(resolveInside(target, config.paths.functions), ".env"));
  const read = readEnvFile(target.root, file);
  return { file, values: read?.values ?? {}, exists: read !== null };
}

/**
 * The dev server's origin: `vite --port N` in the dev script wins over vite.config's `server.port`, which wins over
 * Vite's default 5173 (https://vite.dev/config/server-options#server-port).
 */
export function devServerOrigin(root: string): { origin: string; from: string } {
  const vite = viteDevUrl(root);
  const scheme = vite?.url.startsWith("https:") ? "https" : "http";
  let script = "";
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    script = pkg.scripts?.dev ?? "";
  } catch {
    // no package.json, or not JSON: the config and the default decide
  }
  const flag = /\bvite\b[^&|;]*?\s--port[=\s]+(\d{2,5})\b/.exec(script);
  if (flag) return { origin: `${scheme}://localhost:${flag[1]}`, from: `package.json's dev script (--port ${flag[1]})` };
  if (vite) return { origin: vite.url, from: `${vite.file} (server.port)` };
  return { origin: "http://localhost:5173", from: "Vite's default port" };
}

/** Whether git would commit the file (the app is a git work tree that does not ignore it). */
function committable(root: string, file: string): boolean {
  const result = spawnSync("git", ["check-ignore", "-q", "--", file], { cwd: root, stdio: "ignore" });
  // 0: ignored; 1: not ignored; 128: not a git work tree (or no git): nothing to say.
  return result.status === 1;
}

/** What doctor reads of the local set-up, once a run: the function env file and the dev server's origin. */
export interface LocalSetup {
  env: EnvFile & { exists: boolean };
  dev: { origin: string; from: string };
}

export function readLocalSetup(target: Target, config: RepoConfig): LocalSetup {
  return { env: functionEnv(target, config), dev: devServerOrigin(target.root) };
}

/** Decodes a base64 or base64url key (as the generated crypto.ts does); null when it is not base64 at all. */
function keyBytes(text: string): number | null {
  const normal = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normal)) return null;
  return Buffer.from(normal, "base64").length;
}

export interface LocalFinding {
  integration: string | null;
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
}

/** The keys of one ring secret (`<NAME>S` or `<NAME>`), as the generated runtime reads them. */
function ringKeys(values: Record<string, string>, name: string): { name: string; keys: string[] } | null {
  const ring = values[`${name}S`]?.trim();
  if (ring) return { name: `${name}S`, keys: ring.split(/[\s,]+/).filter((key) => key !== "") };
  const single = values[name]?.trim();
  return single ? { name, keys: [single] } : null;
}

/** The shared function secrets in the local function env file: the two key rings and the allowed origins. */
export function checkSharedLocalEnv(target: Target, local: LocalSetup, shared: Pick<SharedContext, "env">): LocalFinding[] {
  const { env } = local;
  const findings: LocalFinding[] = [];
  const generate = "openssl rand -base64 32";
  if (!env.exists) {
    findings.push({
      integration: null,
      check: "function-env",
      ok: false,
      message: `${env.file} does not exist: the functions run locally without their secrets (supabase start loads this file; supabase functions serve --env-file ${env.file} reads it)`,
      fix: `create it with the values named below (the docs page's "Local development" section writes it); keep it out of git`,
    });
  }
  const unignored = env.exists ? committable(target.root, env.file) : false;
  if (unignored) {
    findings.push({
      integration: null,
      check: "function-env",
      ok: false,
      message: `${env.file} holds secrets and git does not ignore it: the next commit may publish them`,
      fix: `add ${env.file} to .gitignore (and, if it was committed, rotate every secret in it)`,
    });
  }
  const rings: { label: string; ring: { name: string; keys: string[] } | null; base: string }[] = [
    { label: "token encryption", ring: ringKeys(env.values, shared.env.encryptionKey), base: shared.env.encryptionKey },
    { label: "state signing", ring: ringKeys(env.values, shared.env.stateKey), base: shared.env.stateKey },
  ];
  for (const { label, ring, base } of rings) {
    if (!ring) {
      findings.push({
        integration: null,
        check: "function-keys",
        ok: false,
        message: `${env.file} sets no ${base}: the functions refuse to start without the ${label} key`,
        fix: `add ${base}=$(${generate}) to ${env.file} (and in production: supabase secrets set ${base}="$(${generate})")`,
      });
      continue;
    }
    const bad = ring.keys.map((key, index) => ({ index, bytes: keyBytes(key) })).filter((key) => key.bytes !== 32);
    findings.push(
      bad.length === 0
        ? { integration: null, check: "function-keys", ok: true, message: `${ring.name} in ${env.file}: ${ring.keys.length === 1 ? "a key" : `${ring.keys.length} keys`} of 32 bytes` }
        : {
            integration: null,
            check: "function-keys",
            ok: false,
            message: `${ring.name} in ${env.file}: ${bad
              .map((key) => `${ring.keys.length > 1 ? `key ${key.index + 1} ` : ""}${key.bytes === null ? "is not base64" : `decodes to ${key.bytes} bytes, not 32`}`)
              .join("; ")}`,
            fix: `replace it with a key of 32 random bytes: ${generate}`,
          },
    );
  }
  const [encryption, state] = rings.map((entry) => entry.ring);
  if (encryption && state) {
    const shared = encryption.keys.filter((key) => state.keys.includes(key));
    if (shared.length > 0) {
      findings.push({
        integration: null,
        check: "function-keys",
        ok: false,
        message: `${encryption.name} and ${state.name} in ${env.file} share a key: one key would both seal the tokens and sign the state`,
        fix: `give ${state.name} a key of its own: ${generate}`,
      });
    }
  }
  findings.push(checkAllowedOrigins(local, shared.env.allowedOrigins));
  return findings;
}

function checkAllowedOrigins({ env, dev }: LocalSetup, name: string): LocalFinding {
  const raw = env.values[name]?.trim() ?? "";
  const production = `in production: supabase secrets set ${name}=https://<your app>`;
  if (raw === "") {
    return {
      integration: null,
      check: "allowed-origins",
      ok: false,
      message: `${env.file} sets no ${name}: the functions then take only localhost origins, and a deployed function without it refuses the app`,
      fix: `add ${name}=${dev.origin} to ${env.file} (the dev server, from ${dev.from}); ${production}`,
    };
  }
  const origins = raw.split(",").map((entry) => entry.trim().replace(/\/+$/, "")).filter((entry) => entry !== "");
  const notOrigins = origins.filter((entry) => {
    try {
      const url = new URL(entry);
      return url.origin !== entry;
    } catch {
      return true;
    }
  });
  if (notOrigins.length > 0) {
    return {
      integration: null,
      check: "allowed-origins",
      ok: false,
      message: `${name} in ${env.file} lists ${notOrigins.map((entry) => JSON.stringify(entry)).join(", ")}, which ${notOrigins.length === 1 ? "is not an origin" : "are not origins"} (scheme://host[:port], no path): no request ever matches ${notOrigins.length === 1 ? "it" : "them"}`,
      fix: `list origins only, comma-separated: ${name}=${dev.origin},https://<your app>`,
    };
  }
  if (!origins.includes(dev.origin)) {
    return {
      integration: null,
      check: "allowed-origins",
      ok: false,
      message: `${name} in ${env.file} (${origins.join(", ")}) leaves out the dev server, ${dev.origin} (from ${dev.from}): the functions refuse the app's requests`,
      fix: `add it: ${name}=${[...origins, dev.origin].join(",")}`,
    };
  }
  return { integration: null, check: "allowed-origins", ok: true, message: `${name} in ${env.file} takes the dev server, ${dev.origin}` };
}

/** One integration's local values: the browser's client id, the function secrets, the redirect URI's port. */
export function checkIntegrationLocalEnv(
  target: Target,
  config: RepoConfig,
  local: LocalSetup,
  ctx: Pick<IntegrationContext, "env" | "urls" | "names" | "spec">,
): LocalFinding[] {
  const id = ctx.names.id;
  const findings: LocalFinding[] = [];
  const browser = viteValue(target.root, ctx.env.publicClientId);
  findings.push(
    browser
      ? { integration: id, check: "env", ok: true, message: `${ctx.env.publicClientId} is set in ${browser.file}` }
      : {
          integration: id,
          check: "env",
          ok: false,
          message: `${ctx.env.publicClientId} has no value in ${VITE_DEV_ENV_FILES.filter((file) => file !== ".env.development.local" && file !== ".env.development").join(" or ")}: the setup page cannot build ${ctx.spec.displayName}'s authorization URL`,
          fix: `add ${ctx.env.publicClientId}=<client id> to .env.local (the client id of the ${ctx.spec.displayName} app; it is public, the secret is not)`,
        },
  );
  const { env, dev } = local;
  const missing = [ctx.env.clientId, ctx.env.clientSecret].filter((name) => !env.values[name]?.trim());
  findings.push(
    missing.length === 0
      ? { integration: id, check: "function-secrets", ok: true, message: `${ctx.env.clientId} and ${ctx.env.clientSecret} are set in ${env.file}` }
      : {
          integration: id,
          check: "function-secrets",
          ok: false,
          message: `${env.file} sets no ${missing.join(" and no ")}: the token exchange cannot authenticate to ${ctx.spec.displayName}`,
          fix: `add ${missing.map((name) => `${name}=<${name === ctx.env.clientId ? "client id" : "client secret"}>`).join(" and ")} to ${env.file} (in production: supabase secrets set ${missing.map((name) => `${name}=…`).join(" ")})`,
        },
  );
  const browserId = browser?.value;
  const functionId = env.values[ctx.env.clientId]?.trim();
  if (browserId && functionId && browserId !== functionId) {
    findings.push({
      integration: id,
      check: "function-secrets",
      ok: false,
      message: `${ctx.env.publicClientId} (${browser!.file}) and ${ctx.env.clientId} (${env.file}) differ: the code issued to one client cannot be exchanged by the other`,
      fix: "set both to the client id of the same app",
    });
  }
  const redirect = new URL(ctx.urls.redirect);
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(redirect.hostname);
  if (loopback) {
    findings.push(
      redirect.origin === dev.origin || redirect.origin === dev.origin.replace("localhost", "127.0.0.1")
        ? { integration: id, check: "redirect-uri", ok: true, message: `the redirect URI ${ctx.urls.redirect} is on the dev server (${dev.origin}, from ${dev.from})` }
        : {
            integration: id,
            check: "redirect-uri",
            ok: false,
            message: `the docs page registers ${ctx.urls.redirect} (appUrl ${config.appUrl}, from ${config.appUrlFrom}), but the dev server runs on ${dev.origin} (from ${dev.from}): the provider would send users to a port nothing serves`,
            fix: `set "appUrl": "${dev.origin}" in nexus-integrate.config.json and run nexus-integrate regenerate ${id}; register ${dev.origin}${redirect.pathname} with ${ctx.spec.displayName}`,
          },
    );
  }
  return findings;
}

/** What doctor cannot see from the app's files, said as such. */
export function notCheckedLocally(functionFile: string): string[] {
  return [
    `the deployed function secrets: doctor reads ${functionFile} and the Vite env files, not the project's secrets (supabase secrets list shows their names)`,
    "the redirect URIs registered in each provider's console",
  ];
}
