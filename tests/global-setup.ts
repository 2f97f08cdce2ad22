import { ensureAppDeps } from "./helpers/app-deps.js";
import { EXAMPLE_APP, PLAYBOOK_APP } from "./helpers/paths.js";

/** Runs once before all test files: installs (or reuses) the example app's and the playbook fixture's dependencies. */
export default async function setup(): Promise<void> {
  await ensureAppDeps(EXAMPLE_APP);
  await ensureAppDeps(PLAYBOOK_APP);
}
