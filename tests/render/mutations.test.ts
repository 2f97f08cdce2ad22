import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/fixtures.js";
import { REPO_ROOT } from "../helpers/paths.js";

type Mutation = { id: string; where: string; lets: string; edits: { file: string; find: string; replace: string }[]; tests: string[]; grep?: string };
const { MUTATIONS } = (await import(path.join(REPO_ROOT, "scripts/mutations/list.mjs"))) as { MUTATIONS: Mutation[] };
const { applyMutation, checkMutations } = (await import(path.join(REPO_ROOT, "scripts/mutations/check.mjs"))) as {
  checkMutations(root: string, mutations: Mutation[]): string[];
  applyMutation(root: string, mutation: Mutation): Map<string, string>;
};

/**
 * The mutation round (`npm run mutations`) runs outside `npm test`; what it can check cheaply is checked here, so
 * a template edit that moves a safety line makes its patch fail now, not at the next round.
 */
describe("the safety mutation list", () => {
  it("every patch applies to today's templates, once, and names behavioural tests that exist", () => {
    expect(checkMutations(REPO_ROOT, MUTATIONS)).toEqual([]);
  });

  it("covers the safety lines the issues name: the state, the JWT, PKCE, RLS, grants, the leases, the budget, webhooks", () => {
    const ids = MUTATIONS.map((m) => m.id);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    for (const id of [
      "jwt-allow-expired",
      "jwt-any-role",
      "webhook-stripe-stale-accepted",
      "link-header-any-origin",
      "state-lookup-without-user",
      "state-signed-without-user",
      "data-api-delete",
      "revocation-refusal-ignored",
      "start-unthrottled",
      "tokens-granted",
      "refresh-without-lease",
      "job-claimed-under-lease",
      "budget-unbounded",
    ]) {
      expect(ids).toContain(id);
    }
  });

  it("a patch that no longer applies is reported by name, and so is a golden snapshot listed as a test", () => {
    const root = tempDir();
    const sample = MUTATIONS.find((m) => m.id === "jwt-any-role")!;
    const file = sample.edits[0]!.file;
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(root, file));
    for (const test of sample.tests) {
      mkdirSync(path.dirname(path.join(root, test)), { recursive: true });
      writeFileSync(path.join(root, test), "");
    }
    mkdirSync(path.join(root, "tests/golden"), { recursive: true });
    writeFileSync(path.join(root, "tests/golden/golden.test.ts"), "");
    expect(checkMutations(root, [sample])).toEqual([]);

    // the line moved on: the patch must follow it
    writeFileSync(path.join(root, file), readFileSync(path.join(root, file), "utf8").replace(sample.edits[0]!.find, ' || claims.role != "authenticated"'));
    const golden = { ...sample, id: "golden-only", tests: ["tests/golden/golden.test.ts"] };
    expect(checkMutations(root, [sample, golden])).toEqual([
      `jwt-any-role: the patch no longer applies: ${file} has no occurrences of ${JSON.stringify(sample.edits[0]!.find)}`,
      "golden-only: tests/golden/golden.test.ts is a golden snapshot, which catches nothing",
      `golden-only: the patch no longer applies: ${file} has no occurrences of ${JSON.stringify(sample.edits[0]!.find)}`,
    ]);
  });

  it("applying a mutation changes exactly its lines, in the files it names", () => {
    for (const m of MUTATIONS) {
      const texts = applyMutation(REPO_ROOT, m);
      expect([...texts.keys()].sort()).toEqual([...new Set(m.edits.map((e) => e.file))].sort());
      for (const [file, text] of texts) {
        const before = readFileSync(path.join(REPO_ROOT, file), "utf8");
        expect(text, m.id).not.toBe(before);
      }
    }
  });
});
