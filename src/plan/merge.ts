import { merge } from "node-diff3";

export interface MergeOutcome {
  clean: boolean;
  /** The merged text; with conflicts, git-style markers around each overlapping change. */
  text: string;
}

/** Three-way line merge: base = what the tool last wrote, ours = the file now, theirs = the new render. */
export function mergeThreeWay(base: string, ours: string, theirs: string): MergeOutcome {
  const result = merge(ours.split("\n"), base.split("\n"), theirs.split("\n"), {
    excludeFalseConflicts: true,
    label: { a: "your edit", b: "template" },
  });
  return { clean: !result.conflict, text: result.result.join("\n") };
}

/** The conflict regions of a merged text, for reports: each with both sides. */
export function conflictHunks(merged: string): { ours: string; theirs: string }[] {
  const hunks: { ours: string; theirs: string }[] = [];
  const lines = merged.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("<<<<<<<")) continue;
    const ours: string[] = [];
    const theirs: string[] = [];
    let side = ours;
    for (i++; i < lines.length && !lines[i]!.startsWith(">>>>>>>"); i++) {
      if (lines[i]!.startsWith("=======")) side = theirs;
      else side.push(lines[i]!);
    }
    hunks.push({ ours: ours.join("\n"), theirs: theirs.join("\n") });
  }
  return hunks;
}

const MARKERS = /^<{7}(?: .*)?\r?\n[\s\S]*?^={7}\r?\n[\s\S]*?^>{7}(?: .*)?$/m;

/** True when `text` still holds a git-style conflict (`<<<<<<<` … `=======` … `>>>>>>>`), e.g. left by --force. */
export function hasConflictMarkers(text: string): boolean {
  return MARKERS.test(text);
}
