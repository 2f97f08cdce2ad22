import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const EXAMPLE_APP = path.join(REPO_ROOT, "examples", "nexus-app");
export const BIN = path.join(REPO_ROOT, "bin", "nexus-integrate.js");
export const PLAYBOOK_APP = path.join(REPO_ROOT, "tests", "fixtures", "playbook-app");
export const SHADCN_APP = path.join(REPO_ROOT, "tests", "fixtures", "shadcn-app");
export const LOVABLE_APP = path.join(REPO_ROOT, "tests", "fixtures", "lovable-app");
export const TANSTACK_APP = path.join(REPO_ROOT, "tests", "fixtures", "tanstack-app");
