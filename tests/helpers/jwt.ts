import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";

/** HS256 JWTs like Supabase Auth issues (legacy JWT secret), for a signed-in test user. */
export const JWT_SECRET = randomBytes(32).toString("hex");

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export function signJwt(claims: Record<string, unknown>, secret = JWT_SECRET): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(JSON.stringify({ aud: "authenticated", role: "authenticated", iat: now, exp: now + 3600, ...claims }));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function userJwt(userId: string, email = `${userId.slice(-4)}@example.com`): string {
  return signJwt({ sub: userId, email });
}

/** The project's keys: legacy (HS256 with the JWT secret) or new (an asymmetric ES256 key published as a JWKS). */
export type KeyScheme = "legacy" | "asymmetric";

const signingKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const KID = randomBytes(8).toString("hex");

/** The public half of the asymmetric signing key, as Supabase publishes it at /auth/v1/.well-known/jwks.json. */
export const JWKS = { keys: [{ ...signingKey.publicKey.export({ format: "jwk" }), kid: KID, alg: "ES256", use: "sig", key_ops: ["verify"] }] };

export function signJwtES256(claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid: KID }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(JSON.stringify({ aud: "authenticated", role: "authenticated", iat: now, exp: now + 3600, ...claims }));
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key: signingKey.privateKey, dsaEncoding: "ieee-p1363" });
  return `${header}.${payload}.${b64url(signature)}`;
}

export function userJwtFor(scheme: KeyScheme, userId: string, email = `${userId.slice(-4)}@example.com`): string {
  return scheme === "legacy" ? signJwt({ sub: userId, email }) : signJwtES256({ sub: userId, email });
}
