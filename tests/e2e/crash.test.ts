import { execa } from "execa";
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, copyExampleApp, snapshotTree, tempDir } from "../helpers/fixtures.js";

/**
 * Crash safety: a run killed with SIGKILL at any moment leaves every file with its old or its new content
 * (never a part of one) and a lockfile that parses; the next run finishes the job. And two runs at once:
 * exactly one writes.
 */
const ENV = { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" };
const CHANGE = ["new", "hubspot", "--yes", "--name", "HubSpot Renamed", "--scopes", "oauth crm.objects.contacts.read crm.objects.companies.read"];
const BOOKKEEPING = /^\.nexus-integrate\/(run\.lock|journal\.json)|\.nexus-\d+-[0-9a-f]{8}\.tmp$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function contents(dir: string): Map<string, string> {
  return new Map(Object.keys(snapshotTree(dir)).map((file) => [file, readFileSync(path.join(dir, file), "utf8")]));
}

async function prepare() {
  const old = copyExampleApp();
  expect((await execa("node", [BIN, "new", "hubspot", "--yes", "--target", old], { env: ENV })).exitCode).toBe(0);
  const expected = path.join(tempDir(), "expected");
  cpSync(old, expected, { recursive: true });
  expect((await execa("node", [BIN, ...CHANGE, "--target", expected], { env: ENV })).exitCode).toBe(0);
  return { old, oldFiles: contents(old), newFiles: contents(expected), expectedTree: snapshotTree(expected) };
}

describe("crash safety", () => {
  it("SIGKILL at 36 moments: every file old or new, lockfile parses, a rerun reaches the final state", async () => {
    const { old, oldFiles, newFiles, expectedTree } = await prepare();
    const changedFiles = [...newFiles.keys()].filter((f) => oldFiles.get(f) !== newFiles.get(f));
    expect(changedFiles.length).toBeGreaterThan(5);
    let sawMixed = 0;
    for (let i = 0; i < 36; i++) {
      const app = path.join(tempDir(), "app");
      cpSync(old, app, { recursive: true });
      const child = execa("node", [BIN, ...CHANGE, "--target", app], {
        env: { ...ENV, NEXUS_INTEGRATE_SLOW_APPLY_MS: "4" },
        reject: false,
      });
      // The first kills land during start-up and planning; the rest once the journal shows the apply has
      // begun, spread across it (each write is slowed to 4 ms, so the apply takes ~160 ms).
      let delay: number;
      if (i < 4) {
        delay = 60 + i * 50;
        await sleep(delay);
      } else {
        const journal = path.join(app, ".nexus-integrate", "journal.json");
        const startedAt = Date.now();
        while (!existsSync(journal) && Date.now() - startedAt < 10_000) await sleep(1);
        delay = (i - 4) * 4;
        await sleep(delay);
      }
      child.kill("SIGKILL");
      await child;

      const now = contents(app);
      let fromNew = 0;
      for (const [file, text] of now) {
        if (BOOKKEEPING.test(file)) continue;
        const candidates = [oldFiles.get(file), newFiles.get(file)].filter((c) => c !== undefined);
        expect(candidates, `${file} after a kill at ${delay} ms`).toContain(text);
        if (text === newFiles.get(file) && text !== oldFiles.get(file)) fromNew++;
      }
      for (const file of changedFiles) {
        if (!now.has(file)) expect(oldFiles.has(file) && newFiles.has(file), `${file} vanished`).toBe(false);
      }
      if (fromNew > 0 && fromNew < changedFiles.length) sawMixed++;
      expect(() => JSON.parse(now.get("nexus-integrate.lock.json")!)).not.toThrow();

      const rerun = await execa("node", [BIN, ...CHANGE, "--target", app], { env: ENV, reject: false });
      expect(rerun.exitCode, `rerun after a kill at ${delay} ms: ${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(snapshotTree(app)).toEqual(expectedTree);
    }
    // The kills did land inside the apply, between file renames, not only before or after it.
    expect(sawMixed).toBeGreaterThan(8);
  }, 240_000);

  it("two concurrent runs: exactly one writes, the other is refused; the target ends consistent", async () => {
    const { old, expectedTree } = await prepare();
    const runs = [0, 1].map(() =>
      execa("node", [BIN, ...CHANGE, "--target", old], { env: { ...ENV, NEXUS_INTEGRATE_SLOW_APPLY_MS: "25" }, reject: false }),
    );
    const results = await Promise.all(runs);
    const codes = results.map((r) => r.exitCode).sort();
    expect(codes).toEqual([0, 1]);
    const refused = results.find((r) => r.exitCode === 1)!;
    expect(refused.stderr).toContain("another nexus-integrate run");
    expect(snapshotTree(old)).toEqual(expectedTree);
    expect(existsSync(path.join(old, ".nexus-integrate/run.lock"))).toBe(false);
  });
});
