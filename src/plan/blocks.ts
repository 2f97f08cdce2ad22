/**
 * Managed blocks: the generator's lines inside a file it does not own (`.env.example`, the router, the
 * integrations registry), fenced by marker comments so they can be found, replaced and removed without
 * touching anything else. A block either sits at the end of the file (env files) or inside a region the app
 * marks with `<nexus-integrate:NAME>` … `</nexus-integrate:NAME>` comments (code, where position matters).
 */

interface CommentStyle {
  open: string;
  close: string;
}

export function commentStyle(filePath: string): CommentStyle {
  const base = filePath.split("/").pop() ?? filePath;
  if (/\.(ts|tsx|js|jsx|mjs|cjs)$/.test(base)) return { open: "// ", close: "" };
  if (/\.sql$/.test(base)) return { open: "-- ", close: "" };
  if (/\.(md|html)$/.test(base)) return { open: "<!-- ", close: " -->" };
  return { open: "# ", close: "" };
}

export function blockMarkers(filePath: string, owner: string): { start: string; end: string } {
  const { open, close } = commentStyle(filePath);
  return {
    start: `${open}>>> nexus-integrate: ${owner} >>>${close}`,
    end: `${open}<<< nexus-integrate: ${owner} <<<${close}`,
  };
}

export type BlockLookup =
  | { status: "absent" }
  | { status: "found"; inner: string; startIndex: number; endIndex: number }
  | { status: "broken"; reason: string }
  | { status: "no-region"; reason: string };

/** Finds the block of `owner` in `text`: the lines strictly between its start and end markers. */
export function findBlock(text: string, filePath: string, owner: string, region: string | null = null): BlockLookup {
  return blockIndex(text, filePath)(owner, region);
}

/** Character offset where each line starts. */
function lineStarts(lines: string[]): number[] {
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  return starts;
}

/**
 * Every block of a text, found in one pass per region (or over the whole text for end-of-file blocks):
 * a file with hundreds of integrations' blocks is read once, not once per block.
 */
export function blockIndex(text: string, filePath: string): (owner: string, region: string | null) => BlockLookup {
  const lines = text.split("\n");
  const starts = lineStarts(lines);
  const lookupFor = (startLine: number, endLine: number, indent: string): BlockLookup => {
    const inner = lines
      .slice(startLine + 1, endLine)
      .map((line) => (indent === "" ? line : line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join("\n");
    const startIndex = starts[startLine]!;
    const endIndex = starts[endLine]! + lines[endLine]!.length;
    return { status: "found", inner: endLine > startLine + 1 ? `${inner}\n` : "", startIndex, endIndex };
  };
  let plain: Map<string, BlockLookup> | undefined;
  const regions = new Map<string, Map<string, BlockLookup> | BlockLookup>();
  return (owner, region) => {
    if (region === null) {
      if (!plain) {
        plain = new Map();
        const { start: startPattern, end: endPattern } = blockMarkers(filePath, "\u0000");
        const [startPrefix, startSuffix] = startPattern.split("\u0000") as [string, string];
        const [endPrefix, endSuffix] = endPattern.split("\u0000") as [string, string];
        const found = new Map<string, { starts: number[]; ends: number[] }>();
        lines.forEach((raw, i) => {
          const line = raw.trimEnd();
          for (const [prefix, suffix, kind] of [
            [startPrefix, startSuffix, "starts"],
            [endPrefix, endSuffix, "ends"],
          ] as const) {
            if (line.startsWith(prefix) && line.endsWith(suffix) && line.length > prefix.length + suffix.length) {
              const who = line.slice(prefix.length, line.length - suffix.length);
              const entry = found.get(who) ?? { starts: [], ends: [] };
              entry[kind].push(i);
              found.set(who, entry);
            }
          }
        });
        for (const [who, { starts: s, ends: e }] of found) {
          const { start, end } = blockMarkers(filePath, who);
          plain.set(
            who,
            s.length !== 1 || e.length !== 1 || e[0]! < s[0]!
              ? { status: "broken", reason: `the "${start}" / "${end}" markers are missing, repeated or out of order` }
              : lookupFor(s[0]!, e[0]!, ""),
          );
        }
      }
      return plain.get(owner) ?? { status: "absent" };
    }
    let entry = regions.get(region);
    if (!entry) {
      const r = locateRegion(text, region);
      if ("reason" in r) entry = { status: "no-region", reason: r.reason };
      else {
        const map = new Map<string, BlockLookup>();
        for (const block of ownerBlocksIn(r)) {
          map.set(
            block.owner,
            block.end >= r.endLine
              ? { status: "broken", reason: `the ${block.owner} block in the ${region} region has no end marker` }
              : lookupFor(block.start, block.end, r.indent),
          );
        }
        entry = map;
      }
      regions.set(region, entry);
    }
    return entry instanceof Map ? (entry.get(owner) ?? { status: "absent" }) : entry;
  };
}

function renderBlock(filePath: string, owner: string, inner: string): string {
  const { start, end } = blockMarkers(filePath, owner);
  const body = inner === "" || inner.endsWith("\n") ? inner : `${inner}\n`;
  return `${start}\n${body}${end}`;
}

function ownerOrder(owner: string): string {
  return owner === "shared" ? "" : owner;
}

/** Start offsets of the other owners' blocks in `text`, in file order. */
function otherBlocks(text: string, filePath: string): { owner: string; startIndex: number }[] {
  const { start } = blockMarkers(filePath, "OWNER");
  const [prefix, suffix] = start.split("OWNER") as [string, string];
  const found: { owner: string; startIndex: number }[] = [];
  let offset = 0;
  for (const line of text.split("\n")) {
    const trimmed = line.trimEnd();
    if (trimmed.startsWith(prefix) && trimmed.endsWith(suffix)) {
      found.push({ owner: trimmed.slice(prefix.length, trimmed.length - suffix.length), startIndex: offset });
    }
    offset += line.length + 1;
  }
  return found;
}

/**
 * The file with the owner's block replaced, or inserted when absent: blocks are kept in owner order
 * (shared first), each after one blank line, so the file is the same whatever order integrations came in.
 */
export function upsertBlock(text: string | null, filePath: string, owner: string, inner: string, region: string | null = null): string {
  if (region !== null) return upsertRegionBlock(text ?? "", owner, region, inner);
  const block = renderBlock(filePath, owner, inner);
  if (text === null || text === "") return `${block}\n`;
  const found = findBlock(text, filePath, owner);
  if (found.status === "broken") throw new Error(found.reason);
  if (found.status === "found") return text.slice(0, found.startIndex) + block + text.slice(found.endIndex);
  const next = otherBlocks(text, filePath).find((other) => ownerOrder(other.owner) > ownerOrder(owner));
  if (next) return `${text.slice(0, next.startIndex)}${block}\n\n${text.slice(next.startIndex)}`;
  const separator = text.endsWith("\n") ? "\n" : "\n\n";
  return `${text}${separator}${block}\n`;
}

/** The file without the owner's block and the one blank line that separated it. */
export function removeBlock(text: string, filePath: string, owner: string, region: string | null = null): string {
  if (region !== null) return removeRegionBlock(text, owner, region);
  const found = findBlock(text, filePath, owner);
  if (found.status !== "found") return text;
  let before = text.slice(0, found.startIndex);
  let after = text.slice(found.endIndex);
  if (after.startsWith("\n")) after = after.slice(1); // the block's own line end
  if (before.endsWith("\n\n")) before = before.slice(0, -1);
  else if (after.startsWith("\n")) after = after.slice(1);
  return before + after;
}

// ---- blocks inside marked regions ----

interface Region {
  lines: string[];
  /** Index of the region's start and end marker lines. */
  startLine: number;
  endLine: number;
  indent: string;
  open: string;
  close: string;
}

function locateRegion(text: string, region: string): Region | { reason: string } {
  const lines = text.split("\n");
  const startTag = `<nexus-integrate:${region}>`;
  const endTag = `</nexus-integrate:${region}>`;
  const starts = lines.flatMap((line, i) => (line.includes(startTag) ? [i] : []));
  const ends = lines.flatMap((line, i) => (line.includes(endTag) ? [i] : []));
  if (starts.length === 0 && ends.length === 0) return { reason: `no ${startTag} … ${endTag} region` };
  if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
    return { reason: `the ${startTag} / ${endTag} markers are missing, repeated or out of order` };
  }
  const startLine = lines[starts[0]!]!;
  const indent = /^\s*/.exec(startLine)![0];
  const at = startLine.indexOf(startTag);
  return {
    lines,
    startLine: starts[0]!,
    endLine: ends[0]!,
    indent,
    open: startLine.slice(indent.length, at),
    close: startLine.slice(at + startTag.length).trimEnd(),
  };
}

function regionMarkers(r: Region, owner: string): { start: string; end: string } {
  return {
    start: `${r.indent}${r.open}>>> nexus-integrate: ${owner} >>>${r.close}`,
    end: `${r.indent}${r.open}<<< nexus-integrate: ${owner} <<<${r.close}`,
  };
}

function ownerBlocksIn(r: Region): { owner: string; start: number; end: number }[] {
  const { start: startPattern } = regionMarkers(r, "\u0000");
  const [prefix, suffix] = startPattern.split("\u0000") as [string, string];
  const blocks: { owner: string; start: number; end: number }[] = [];
  for (let i = r.startLine + 1; i < r.endLine; i++) {
    const line = r.lines[i]!.trimEnd();
    if (line.startsWith(prefix) && line.endsWith(suffix)) {
      const owner = line.slice(prefix.length, line.length - suffix.length);
      const { end } = regionMarkers(r, owner);
      let j = i + 1;
      while (j < r.endLine && r.lines[j]!.trimEnd() !== end) j++;
      blocks.push({ owner, start: i, end: j });
      i = j;
    }
  }
  return blocks;
}

function regionBlockLines(r: Region, owner: string, inner: string): string[] {
  const { start, end } = regionMarkers(r, owner);
  const body = inner.endsWith("\n") ? inner.slice(0, -1) : inner;
  const bodyLines = body === "" ? [] : body.split("\n").map((line) => (line === "" ? "" : `${r.indent}${line}`));
  return [start, ...bodyLines, end];
}

function upsertRegionBlock(text: string, owner: string, region: string, inner: string): string {
  const r = locateRegion(text, region);
  if ("reason" in r) throw new Error(r.reason);
  const blocks = ownerBlocksIn(r);
  const existing = blocks.find((b) => b.owner === owner);
  const lines = [...r.lines];
  const replacement = regionBlockLines(r, owner, inner);
  if (existing) {
    lines.splice(existing.start, existing.end - existing.start + 1, ...replacement);
  } else {
    const next = blocks.find((b) => ownerOrder(b.owner) > ownerOrder(owner));
    lines.splice(next ? next.start : r.endLine, 0, ...replacement);
  }
  return lines.join("\n");
}

function removeRegionBlock(text: string, owner: string, region: string): string {
  const r = locateRegion(text, region);
  if ("reason" in r) return text;
  const block = ownerBlocksIn(r).find((b) => b.owner === owner);
  if (!block) return text;
  const lines = [...r.lines];
  lines.splice(block.start, block.end - block.start + 1);
  return lines.join("\n");
}

/** What to paste when a file has no region: the region markers with the block inside. */
export function regionSnippet(region: string, owner: string, inner: string, filePath: string): string {
  // Inside JSX a comment must be an expression; elsewhere a line comment of the file's language.
  const style = /\.(tsx|jsx)$/.test(filePath) && region === "routes" ? { open: "{/* ", close: " */}" } : commentStyle(filePath);
  const open = style.open.endsWith(" ") ? style.open : `${style.open} `;
  const r: Region = { lines: [], startLine: 0, endLine: 0, indent: "", open, close: style.close };
  return [`${open}<nexus-integrate:${region}>${style.close}`, ...regionBlockLines(r, owner, inner), `${open}</nexus-integrate:${region}>${style.close}`].join(
    "\n",
  );
}
