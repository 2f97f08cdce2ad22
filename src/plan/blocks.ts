/**
 * Managed blocks: the generator's lines inside a file it does not own (`.env.example`, later the router),
 * fenced by marker comments so they can be found, replaced and removed without touching anything else.
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
  | { status: "broken"; reason: string };

/** Finds the block of `owner` in `text`: the lines strictly between its start and end markers. */
export function findBlock(text: string, filePath: string, owner: string): BlockLookup {
  const { start, end } = blockMarkers(filePath, owner);
  const lines = text.split("\n");
  const starts = lines.flatMap((line, i) => (line.trimEnd() === start ? [i] : []));
  const ends = lines.flatMap((line, i) => (line.trimEnd() === end ? [i] : []));
  if (starts.length === 0 && ends.length === 0) return { status: "absent" };
  if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
    return { status: "broken", reason: `the "${start}" / "${end}" markers are missing, repeated or out of order` };
  }
  const startLine = starts[0]!;
  const endLine = ends[0]!;
  const inner = lines.slice(startLine + 1, endLine).join("\n");
  const startIndex = lines.slice(0, startLine).join("\n").length + (startLine > 0 ? 1 : 0);
  const endIndex = lines.slice(0, endLine + 1).join("\n").length;
  return { status: "found", inner: endLine > startLine + 1 ? `${inner}\n` : "", startIndex, endIndex };
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
export function upsertBlock(text: string | null, filePath: string, owner: string, inner: string): string {
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
export function removeBlock(text: string, filePath: string, owner: string): string {
  const found = findBlock(text, filePath, owner);
  if (found.status !== "found") return text;
  let before = text.slice(0, found.startIndex);
  let after = text.slice(found.endIndex);
  if (after.startsWith("\n")) after = after.slice(1); // the block's own line end
  if (before.endsWith("\n\n")) before = before.slice(0, -1);
  else if (after.startsWith("\n")) after = after.slice(1);
  return before + after;
}
