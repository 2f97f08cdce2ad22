import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { SUPABASE_PREP_SQL } from "./supabase-prep.js";

export async function createSupabaseDb(): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec(SUPABASE_PREP_SQL);
  return db;
}

/** Applies the target's migrations in file-name order (as `supabase db push` does). */
export async function applyMigrations(db: PGlite, appDir: string, only?: (file: string) => boolean): Promise<string[]> {
  const dir = path.join(appDir, "supabase", "migrations");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && (only ? only(f) : true))
    .sort();
  for (const file of files) {
    try {
      await db.exec(readFileSync(path.join(dir, file), "utf8"));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
  }
  return files;
}

export async function createUser(db: PGlite, id: string, email: string): Promise<void> {
  await db.query("insert into auth.users (id, email) values ($1, $2)", [id, email]);
}

/**
 * Runs `fn` as a database role with the given JWT claims, the way PostgREST does for a request
 * (`set local role` + `request.jwt.claims` inside a transaction).
 */
export async function asRole<T>(
  db: PGlite,
  role: "anon" | "authenticated" | "service_role",
  userId: string | null,
  fn: (tx: Pick<PGlite, "query" | "exec">) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const claims = JSON.stringify(userId ? { sub: userId, role } : { role });
    await tx.query("select set_config('request.jwt.claims', $1, true)", [claims]);
    await tx.exec(`set local role ${role}`);
    return fn(tx as unknown as Pick<PGlite, "query" | "exec">);
  });
}
