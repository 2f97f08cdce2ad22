import type { TestProject } from "vitest/node";
import { ensureAppDeps } from "./helpers/app-deps.js";
import { EXAMPLE_APP, PLAYBOOK_APP, SHADCN_APP, TANSTACK_APP } from "./helpers/paths.js";
import { startCluster } from "./helpers/postgres.js";
import { ensureSupabaseCli } from "./helpers/supabase-cli.js";

/**
 * Runs once before all test files: installs (or reuses) the example app's and the playbook fixture's
 * dependencies (and the shadcn fixture's) and the pinned Supabase CLI, and starts the run's PostgreSQL server on 127.0.0.1; the returned teardown stops it by PID.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureAppDeps(EXAMPLE_APP);
  await ensureAppDeps(PLAYBOOK_APP);
  await ensureAppDeps(SHADCN_APP);
  await ensureAppDeps(TANSTACK_APP);
  await ensureSupabaseCli();
  const cluster = await startCluster();
  project.provide("postgres", { port: cluster.port });
  return () => cluster.stop();
}
