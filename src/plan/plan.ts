import type { RenderedOutput } from "../render/render.js";
import { SHARED_OWNER } from "../render/render.js";
import type { IntegrationSpec } from "../spec/schema.js";
import { findBlock, upsertBlock } from "./blocks.js";
import { sha256 } from "./hash.js";
import { emptyLockfile, type LockedOutput, type Lockfile } from "./lockfile.js";

export type FileAction = "create" | "update" | "unchanged" | "conflict";

/** What will happen to one path in the target. */
export interface FileOp {
  path: string;
  action: FileAction;
  /** Current content; null when the file does not exist. */
  before: string | null;
  /** Content after the run (for a conflict: what `--force` would write). */
  after: string;
  kind: "file" | "block";
  /** True when `--force` turned a conflict into an update. */
  forced: boolean;
  /** Why a conflict is one (or was forced). */
  reason?: string;
}

export interface Plan {
  ops: FileOp[];
  nextLock: Lockfile;
  conflicts: FileOp[];
}

export interface PlanInput {
  rendered: RenderedOutput[];
  /** Current content of every rendered path (null when absent), read before planning. */
  current: ReadonlyMap<string, string | null>;
  lock: Lockfile | null;
  spec: IntegrationSpec;
  version: string;
  force: boolean;
}

function recordedFor(lock: Lockfile | null, owner: string, output: RenderedOutput): LockedOutput | undefined {
  const outputs = owner === SHARED_OWNER ? lock?.shared.outputs : lock?.integrations[owner]?.outputs;
  return outputs?.find((o) => o.template === output.template && o.path === output.path);
}

/** Pure: decides create / update / unchanged / conflict for each path, and the lockfile after the run. */
export function planFileOps(input: PlanInput): Plan {
  const { rendered, current, lock, force } = input;
  const byPath = new Map<string, RenderedOutput[]>();
  for (const output of rendered) {
    const list = byPath.get(output.path) ?? [];
    list.push(output);
    byPath.set(output.path, list);
  }

  const ops: FileOp[] = [];
  for (const [filePath, outputs] of [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const before = current.get(filePath) ?? null;
    const reasons: string[] = [];
    let after: string;
    const whole = outputs.filter((o) => o.kind === "file");
    if (whole.length > 1 || (whole.length === 1 && outputs.length > 1)) {
      throw new Error(`internal: more than one template writes ${filePath}: ${outputs.map((o) => o.template).join(", ")}`);
    }
    if (whole.length === 1) {
      const output = whole[0]!;
      after = output.content;
      if (before !== null && before !== after) {
        const recorded = recordedFor(lock, output.owner, output);
        if (!recorded) reasons.push("exists and was not written by nexus-integrate");
        else if (recorded.sha256 !== sha256(before)) reasons.push("was edited since nexus-integrate wrote it");
      }
    } else {
      let text = before;
      for (const output of outputs) {
        const found = text === null ? ({ status: "absent" } as const) : findBlock(text, filePath, output.owner);
        if (found.status === "broken") {
          reasons.push(found.reason);
          continue;
        }
        if (found.status === "found" && found.inner !== output.content) {
          const recorded = recordedFor(lock, output.owner, output);
          if (!recorded || recorded.sha256 !== sha256(found.inner)) {
            reasons.push(`the ${output.owner} block was edited since nexus-integrate wrote it`);
          }
        }
        text = upsertBlock(text, filePath, output.owner, output.content);
      }
      after = text ?? "";
    }
    const conflicted = reasons.length > 0;
    const action: FileAction =
      conflicted && !force ? "conflict" : before === null ? "create" : before === after ? "unchanged" : "update";
    ops.push({
      path: filePath,
      action,
      before,
      after,
      kind: whole.length === 1 ? "file" : "block",
      forced: conflicted && force,
      ...(conflicted ? { reason: reasons.join("; ") } : {}),
    });
  }

  return { ops, conflicts: ops.filter((op) => op.action === "conflict"), nextLock: nextLockfile(input) };
}

function lockedOutputs(outputs: RenderedOutput[]): LockedOutput[] {
  return outputs.map((o) => ({ path: o.path, kind: o.kind, template: o.template, sha256: sha256(o.content) }));
}

function nextLockfile(input: PlanInput): Lockfile {
  const base = input.lock ?? emptyLockfile(input.version);
  const sharedNow = input.rendered.filter((o) => o.owner === SHARED_OWNER);
  const sharedKeep = base.shared.outputs.filter((o) => !sharedNow.some((n) => n.template === o.template));
  const own = input.rendered.filter((o) => o.owner === input.spec.id);
  return {
    lockfileVersion: base.lockfileVersion,
    tool: { name: "nexus-integrate", version: input.version },
    shared: { outputs: [...sharedKeep, ...lockedOutputs(sharedNow)] },
    integrations: {
      ...base.integrations,
      [input.spec.id]: {
        templateSet: input.spec.template,
        spec: input.spec as unknown as Record<string, unknown>,
        outputs: lockedOutputs(own),
      },
    },
  };
}
