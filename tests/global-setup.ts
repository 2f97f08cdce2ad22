import { ensureAppDeps } from "./helpers/app-deps.js";

/** Runs once before all test files: installs (or reuses) the example app's dependencies. */
export default async function setup(): Promise<void> {
  await ensureAppDeps();
}
