import { expect } from "vitest";
import { apiReach, dbAdvisors, type AdvisorFinding, type TestDb } from "./postgres.js";

/** What signed-in users read of the shared schema (through RLS): the rows of their own. */
export const SHARED_READABLE = ["public.nexus_integration_events", "public.nexus_integration_metrics", "public.nexus_user_integrations"];

/**
 * The only SECURITY DEFINER functions an API role may execute: the health page's two, in the private schema the
 * Data API does not expose (Supabase's advice for definer functions), each checking the admin claim first.
 */
export const ADMIN_DEFINER_FUNCTIONS = ["nexus_integrate.admin_health", "nexus_integrate.admin_retry_dead_letter"];

/** Objects of ours: the private schema, the nexus_ tables and view, the integrations' record tables. */
function ours(relation: string): boolean {
  return relation.startsWith("nexus_integrate.") || relation.startsWith("public.nexus_") || /^public\.[a-z0-9_]+_records$/.test(relation);
}

/**
 * INFO findings the README explains as deliberate: the private schema's tables have RLS on and no policy (only
 * the functions, as the owner, touch them), and on a database that has served no query yet every index is
 * "unused".
 */
function deliberate(finding: AdvisorFinding): boolean {
  const meta = finding.metadata as { schema?: string; name?: string };
  if (finding.name === "rls_enabled_no_policy") return meta.schema === "nexus_integrate";
  if (finding.name === "unused_index") return true;
  return false;
}

/**
 * The advisor passes at `--fail-on warn`, every finding about our objects is a deliberate INFO one, and the API
 * roles reach only what users read. `baseline`: the advisor's findings before our migrations, in an app whose
 * own schema already has some (they are the app's, and stay).
 */
export async function expectAdvisorsQuiet(
  appDir: string,
  db: TestDb,
  readable: string[],
  baseline?: { findings: AdvisorFinding[]; failOnWarnExitCode: number },
): Promise<void> {
  const { findings, failOnWarnExitCode, output } = await dbAdvisors(appDir, db);
  expect(failOnWarnExitCode, output).toBe(baseline?.failOnWarnExitCode ?? 0);
  const known = new Set((baseline?.findings ?? []).map((f) => `${f.name} ${f.detail}`));
  const added = findings.filter((f) => !known.has(`${f.name} ${f.detail}`));
  expect(added.filter((f) => f.level !== "INFO" || !deliberate(f)).map((f) => `${f.level} ${f.name}: ${f.detail}`)).toEqual([]);
  const aboutOurs = findings.filter((f) => {
    const meta = f.metadata as { schema?: string; name?: string };
    return ours(`${meta.schema}.${meta.name}`) || f.detail.includes("nexus_");
  });
  expect(aboutOurs.filter((f) => f.level !== "INFO"), JSON.stringify(aboutOurs, null, 2)).toEqual([]);
  expect(aboutOurs.filter((f) => !deliberate(f)).map((f) => `${f.name}: ${f.detail}`)).toEqual([]);
  const reach = await apiReach(db);
  expect(reach.anonReadable.filter(ours)).toEqual([]);
  expect(reach.authenticatedReadable.filter(ours)).toEqual([...readable].sort());
  expect(reach.definerExecutable).toEqual(ADMIN_DEFINER_FUNCTIONS);
}

