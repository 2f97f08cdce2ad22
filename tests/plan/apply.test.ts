import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OperationError, UsageError } from "../../src/errors.js";
import { applyFileOps } from "../../src/plan/apply.js";
import type { FileOp } from "../../src/plan/plan.js";
import { resolveInside, resolveTarget } from "../../src/repo/target.js";
import { snapshotTree, tempDir, usageIssues } from "../helpers/fixtures.js";

function targetDir(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "package.json"), "{}\n");
  return dir;
}

function op(pathName: string, after: string, before: string | null = null): FileOp {
  return { path: pathName, action: before === null ? "create" : "update", before, after, kind: "file", forced: false };
}

describe("applyFileOps", () => {
  it("writes files and then the lockfile, leaving no temp files", () => {
    const dir = targetDir();
    const target = resolveTarget(dir);
    applyFileOps(target, [op("a/b/c.ts", "C\n"), op("d.ts", "D\n")], { next: "{}\n", current: null });
    expect(readFileSync(path.join(dir, "a/b/c.ts"), "utf8")).toBe("C\n");
    expect(readFileSync(path.join(dir, "nexus-integrate.lock.json"), "utf8")).toBe("{}\n");
    expect(readdirSync(path.join(dir, "a/b")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("rolls back every file it replaced when a later write fails", () => {
    const dir = targetDir();
    writeFileSync(path.join(dir, "keep.ts"), "old\n");
    mkdirSync(path.join(dir, "blocked.ts")); // a folder where a file must go: the write fails
    const before = snapshotTree(dir);
    const target = resolveTarget(dir);
    expect(() =>
      applyFileOps(target, [op("keep.ts", "new\n", "old\n"), op("fresh/new.ts", "N\n"), op("blocked.ts", "X\n", "")], {
        next: "{}\n",
        current: null,
      }),
    ).toThrow(OperationError);
    expect(snapshotTree(dir)).toEqual(before);
    expect(existsSync(path.join(dir, "fresh"))).toBe(false);
  });

  it("never overwrites a file that changed after planning (say, during the confirm prompt)", () => {
    const dir = targetDir();
    writeFileSync(path.join(dir, "a.ts"), "edited meanwhile\n");
    const target = resolveTarget(dir);
    expect(() => applyFileOps(target, [op("b.ts", "B\n"), op("a.ts", "new\n", "old\n")], { next: "{}\n", current: null })).toThrow(
      /a\.ts changed while nexus-integrate was running/,
    );
    expect(readFileSync(path.join(dir, "a.ts"), "utf8")).toBe("edited meanwhile\n");
    expect(existsSync(path.join(dir, "b.ts"))).toBe(false);
  });
});

describe("target paths", () => {
  it("requires a folder with a package.json", () => {
    const dir = tempDir();
    expect(() => resolveTarget(dir)).toThrow(UsageError);
    expect(usageIssues(() => resolveTarget(path.join(dir, "missing")))).toEqual([
      { path: "--target", message: expect.stringContaining("does not exist") },
    ]);
  });

  it("refuses .., absolute paths and symlinks", () => {
    const dir = targetDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(dir, "link"));
    const target = resolveTarget(dir);
    expect(() => resolveInside(target, "../x")).toThrow(UsageError);
    expect(() => resolveInside(target, "/etc/passwd")).toThrow(UsageError);
    expect(() => resolveInside(target, "a/../../x")).toThrow(UsageError);
    expect(usageIssues(() => resolveInside(target, "link/file.ts"))[0]?.message).toContain("symbolic link");
    expect(resolveInside(target, "ok/file.ts")).toBe(path.join(target.root, "ok", "file.ts"));
  });
});
