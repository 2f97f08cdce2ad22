import { createHmac, randomBytes } from "node:crypto";

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
