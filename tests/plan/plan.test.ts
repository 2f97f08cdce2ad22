import { describe, expect, it } from "vitest";
import { findBlock, removeBlock, upsertBlock } from "../../src/plan/blocks.js";
import { sha256 } from "../../src/plan/hash.js";
import { emptyLockfile, parseLockfile, serializeLockfile, type Lockfile } from "../../src/plan/lockfile.js";
import { planFileOps } from "../../src/plan/plan.js";
import type { RenderedOutput } from "../../src/render/render.js";
import { buildSpec } from "../../src/spec/build.js";

const spec = buildSpec({ positional: "hubspot" });

function file(path: string, content: string, owner = "hubspot"): RenderedOutput {
  return { path, kind: "file", template: `integration/${path}.hbs`, owner, content, step: null, region: null, source: "builtin@test", templateSha256: "0".repeat(64) };
}
function block(path: string, content: string, owner = "hubspot"): RenderedOutput {
  return { path, kind: "block", template: `integration/${path}.block.hbs`, owner, content, step: null, region: null, source: "builtin@test", templateSha256: "0".repeat(64) };
}
function lockWith(outputs: RenderedOutput[]): Lockfile {
  const lock = emptyLockfile("1.0.0");
  lock.integrations.hubspot = {
    templateSet: "basic",
    spec: spec as unknown as Record<string, unknown>,
    outputs: outputs.map((o) => ({ path: o.path, kind: o.kind, template: o.template, sha256: sha256(o.content) })),
  };
  return lock;
}
function plan(rendered: RenderedOutput[], current: Record<string, string | null>, lock: Lockfile | null, force = false) {
  return planFileOps({
    rendered,
    current: new Map(Object.entries(current)),
    lock,
    entries: [{ id: "hubspot", templateSet: "basic", spec: spec as unknown as Record<string, unknown> }],
    version: "1.0.0",
    mode: "new",
    force,
    history: [],
  });
}

describe("planFileOps", () => {
  it("creates missing files and leaves identical ones unchanged", () => {
    const result = plan([file("a.ts", "A\n"), file("b.ts", "B\n")], { "a.ts": null, "b.ts": "B\n" }, null);
    expect(result.ops.filter((op) => !op.internal).map((op) => [op.path, op.action])).toEqual([
      ["a.ts", "create"],
      ["b.ts", "unchanged"],
    ]);
    expect(result.conflicts).toEqual([]);
  });

  it("updates a file the tool wrote and nobody edited", () => {
    const old = file("a.ts", "old\n");
    const result = plan([file("a.ts", "new\n")], { "a.ts": "old\n" }, lockWith([old]));
    expect(result.ops[0]).toMatchObject({ action: "update", before: "old\n", after: "new\n", forced: false });
  });

  it("reports a hand-edited file as a conflict, and --force turns it into a forced update", () => {
    const old = file("a.ts", "old\n");
    const current = { "a.ts": "old\nmy edit\n" };
    const conflict = plan([file("a.ts", "new\n")], current, lockWith([old]));
    expect(conflict.conflicts.map((op) => [op.path, op.reason])).toEqual([["a.ts", "was edited since nexus-integrate wrote it"]]);
    const forced = plan([file("a.ts", "new\n")], current, lockWith([old]), true);
    expect(forced.ops[0]).toMatchObject({ action: "update", forced: true });
  });

  it("never overwrites a file it did not write", () => {
    const result = plan([file("a.ts", "ours\n")], { "a.ts": "theirs\n" }, null);
    expect(result.conflicts[0]?.reason).toBe("exists and was not written by nexus-integrate");
  });

  it("leaves a file it does not own alone when it has no nexus-integrate marker, and shows the block to paste", () => {
    const env = "VITE_SUPABASE_URL=x\n";
    const result = plan([block(".env.example", "VITE_HUBSPOT_CLIENT_ID=\n")], { ".env.example": env }, null);
    expect(result.ops[0]).toMatchObject({ action: "keep", after: env });
    expect(result.ops[0]!.snippets).toEqual(["# >>> nexus-integrate: hubspot >>>\nVITE_HUBSPOT_CLIENT_ID=\n# <<< nexus-integrate: hubspot <<<"]);
  });

  it("inserts, keeps and guards managed blocks in files it does not own (once the file mentions nexus-integrate)", () => {
    const env = "# nexus-integrate appends its blocks below\nVITE_SUPABASE_URL=x\n";
    const first = plan([block(".env.example", "VITE_HUBSPOT_CLIENT_ID=\n")], { ".env.example": env }, null);
    expect(first.ops[0]!.action).toBe("update");
    const after = first.ops[0]!.after!;
    expect(after.startsWith(env)).toBe(true);
    expect(findBlock(after, ".env.example", "hubspot")).toMatchObject({ status: "found", inner: "VITE_HUBSPOT_CLIENT_ID=\n" });

    const again = plan([block(".env.example", "VITE_HUBSPOT_CLIENT_ID=\n")], { ".env.example": after }, first.nextLock);
    expect(again.ops[0]!.action).toBe("unchanged");

    const edited = after.replace("VITE_HUBSPOT_CLIENT_ID=", "VITE_HUBSPOT_CLIENT_ID=abc");
    const changed = plan([block(".env.example", "VITE_HUBSPOT_CLIENT_ID=\nNEW=\n")], { ".env.example": edited }, first.nextLock);
    expect(changed.ops[0]!.action).toBe("conflict");
    expect(changed.ops[0]!.reason).toContain("hubspot block: was edited");
  });

  it("records the spec, template set and a hash per output in the next lockfile", () => {
    const result = plan([file("a.ts", "A\n"), block(".env.example", "X=\n"), file("s.ts", "S\n", "shared")], { "a.ts": null, ".env.example": null, "s.ts": null }, null);
    expect(result.nextLock.integrations.hubspot).toMatchObject({ templateSet: "basic", spec: { id: "hubspot" } });
    expect(result.nextLock.integrations.hubspot!.outputs.map((o) => [o.path, o.sha256])).toEqual([
      ["a.ts", sha256("A\n")],
      [".env.example", sha256("X=\n")],
    ]);
    expect(result.nextLock.shared.outputs.map((o) => o.path)).toEqual(["s.ts"]);
  });
});

describe("managed blocks", () => {
  it("remove restores the file byte for byte", () => {
    for (const original of ["", "A=1\n", "A=1", "A=1\n\n", "# x\nA=1\n"]) {
      const withBlock = upsertBlock(original, ".env.example", "hubspot", "B=2\n");
      expect(removeBlock(withBlock, ".env.example", "hubspot")).toBe(original === "" ? "" : original.endsWith("\n") ? original : `${original}\n`);
    }
  });

  it("keeps blocks in owner order whatever order they were added in, and removes them exactly", () => {
    const base = "A=1\n";
    const ab = upsertBlock(upsertBlock(base, ".env", "alpha", "X=\n"), ".env", "beta", "Y=\n");
    const ba = upsertBlock(upsertBlock(base, ".env", "beta", "Y=\n"), ".env", "alpha", "X=\n");
    expect(ba).toBe(ab);
    expect(upsertBlock(ab, ".env", "shared", "S=\n").indexOf("shared")).toBeLessThan(ab.indexOf("alpha") + 10);
    expect(removeBlock(removeBlock(ab, ".env", "alpha"), ".env", "beta")).toBe(base);
    expect(removeBlock(ab, ".env", "alpha")).toBe(upsertBlock(base, ".env", "beta", "Y=\n"));
    expect(removeBlock(ab, ".env", "beta")).toBe(upsertBlock(base, ".env", "alpha", "X=\n"));
  });

  it("detects broken markers", () => {
    const text = "# >>> nexus-integrate: hubspot >>>\nX=\n";
    expect(findBlock(text, ".env", "hubspot").status).toBe("broken");
  });

  it("uses the comment syntax of the file", () => {
    expect(upsertBlock(null, "src/App.tsx", "hubspot", "x\n")).toBe("// >>> nexus-integrate: hubspot >>>\nx\n// <<< nexus-integrate: hubspot <<<\n");
  });
});

describe("lockfile", () => {
  it("serializes deterministically and parses back", () => {
    const lock = lockWith([file("b.ts", "B"), file("a.ts", "A")]);
    const text = serializeLockfile(lock);
    expect(serializeLockfile(parseLockfile(text))).toBe(text);
    expect(text.indexOf('"a.ts"')).toBeLessThan(text.indexOf('"b.ts"'));
  });

  it("names the problem in a corrupt lockfile", () => {
    expect(() => parseLockfile("{")).toThrow(/does not parse/);
    expect(() => parseLockfile('{"lockfileVersion": 99}')).toThrow(/not a lockfile this version understands/);
  });
});
