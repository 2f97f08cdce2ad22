import { OperationError, UsageError } from "../errors.js";
import { endpointUrl, type IntegrationSpecInput } from "./schema.js";

/**
 * OIDC discovery (`/.well-known/openid-configuration`) with the RFC 8414 fallback
 * (`/.well-known/oauth-authorization-server`). Fills endpoints, PKCE and the token endpoint's client
 * authentication; flags, spec files and presets still override what it finds.
 */

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000;

interface Metadata {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  userinfo_endpoint?: unknown;
  revocation_endpoint?: unknown;
  code_challenge_methods_supported?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
  scopes_supported?: unknown;
}

function fail(message: string): never {
  throw new UsageError("discovery failed", [{ path: "--discover", message }]);
}

const WITHOUT_DISCOVERY = "without discovery, give the endpoints: --auth-url <url> --token-url <url> (and --userinfo-url)";

/** The issuer could not be reached (DNS, refused, TLS, a timeout, a server error): not bad input, exit 1, with the cause. */
function unreachable(message: string, cause?: unknown): never {
  throw new OperationError(`--discover failed: ${message}; ${WITHOUT_DISCOVERY}`, { cause, path: "--discover" });
}

/** The system's reason a fetch failed (`ENOTFOUND example.invalid`, `ECONNREFUSED 127.0.0.1:9`, a TLS error). */
function fetchCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; hostname?: unknown; address?: unknown; port?: unknown } }).cause;
  if (!cause) return (error as Error).message;
  const code = typeof cause.code === "string" ? cause.code : null;
  const detail = typeof cause.message === "string" ? cause.message : String(cause);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${code}: the host name does not resolve (${detail})`;
  if (code === "ECONNREFUSED") return `${code}: nothing listens there (${detail})`;
  if (code && /CERT|SSL|TLS/.test(code)) return `${code}: the TLS certificate was not accepted (${detail})`;
  return code ? `${code}: ${detail}` : detail;
}

/** The two well-known locations for an issuer, in the order they are tried. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const pathPart = url.pathname.replace(/\/+$/, "");
  return [
    `${url.origin}${pathPart}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${pathPart}`,
  ];
}

async function fetchMetadata(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<Metadata | { status: number }> {
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") unreachable(`${url} did not answer within ${timeoutMs} ms`, error);
    unreachable(`${url} could not be fetched: ${fetchCause(error)}`, error);
  }
  if (response.status === 404) return { status: 404 };
  if (response.status >= 500) unreachable(`${url} answered HTTP ${response.status}`);
  if (!response.ok) fail(`${url} answered HTTP ${response.status}`);
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail(`${url} did not return a JSON object`);
    return parsed as Metadata;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(`${url} did not return JSON (got ${JSON.stringify(text.slice(0, 40))}…)`);
  }
}

function endpoint(metadata: Metadata, key: keyof Metadata, where: string, required: boolean): string | null {
  const value = metadata[key];
  if (value === undefined || value === null) {
    if (required) fail(`${where} has no ${key}`);
    return null;
  }
  const parsed = endpointUrl.safeParse(value);
  if (!parsed.success) fail(`${where}: ${key} ${parsed.error.issues[0]?.message ?? "is not a valid URL"}`);
  return parsed.data;
}

export async function discoverIssuer(
  issuer: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<IntegrationSpecInput> {
  const checked = endpointUrl.safeParse(issuer);
  if (!checked.success) fail(`issuer ${checked.error.issues[0]?.message ?? "is not a valid URL"}`);
  const fromEnv = Number(process.env.NEXUS_INTEGRATE_DISCOVERY_TIMEOUT_MS);
  const timeoutMs = options.timeoutMs ?? (fromEnv > 0 ? fromEnv : DEFAULT_DISCOVERY_TIMEOUT_MS);
  const fetchImpl = options.fetch ?? fetch;
  let metadata: Metadata | undefined;
  let where = "";
  for (const url of discoveryUrls(issuer)) {
    const result = await fetchMetadata(url, timeoutMs, fetchImpl);
    if ("status" in result && Object.keys(result).length === 1) continue;
    metadata = result as Metadata;
    where = url;
    break;
  }
  if (!metadata) fail(`no discovery document at ${discoveryUrls(issuer).join(" or ")}`);
  const normalize = (value: string) => value.replace(/\/+$/, "");
  if (typeof metadata.issuer !== "string" || normalize(metadata.issuer) !== normalize(issuer)) {
    fail(`${where} names issuer ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(issuer)}`);
  }
  const authMethods = Array.isArray(metadata.token_endpoint_auth_methods_supported)
    ? metadata.token_endpoint_auth_methods_supported
    : ["client_secret_basic"]; // RFC 8414's default
  const discovered: IntegrationSpecInput = {
    issuer: metadata.issuer,
    authorizationUrl: endpoint(metadata, "authorization_endpoint", where, true)!,
    tokenUrl: endpoint(metadata, "token_endpoint", where, true)!,
    userinfoUrl: endpoint(metadata, "userinfo_endpoint", where, false),
    revocationUrl: endpoint(metadata, "revocation_endpoint", where, false),
    pkce: Array.isArray(metadata.code_challenge_methods_supported) && metadata.code_challenge_methods_supported.includes("S256"),
    tokenEndpointAuthMethod:
      authMethods.includes("client_secret_basic") || !authMethods.includes("client_secret_post")
        ? "client_secret_basic"
        : "client_secret_post",
  };
  return discovered;
}
