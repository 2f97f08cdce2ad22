/**
 * The merge base of every generated output: exactly what the tool last wrote, kept under the target in
 * `.nexus-integrate/base/<owner>.json` (one file for the shared outputs, one per integration; commit them).
 * It survives tool upgrades, so `regenerate` can merge three ways even when the templates that produced the
 * base are gone.
 */
export const STATE_DIR = ".nexus-integrate";
export const BASE_DIR = `${STATE_DIR}/base`;

export function baseFile(owner: string): string {
  return `${BASE_DIR}/${owner}.json`;
}

/** An output's key in its owner's base file: its path, plus owner and region for a block. */
export function baseKey(output: { path: string; kind: "file" | "block" | "scaffold"; owner: string; region?: string | null }): string {
  if (output.kind === "file") return output.path;
  return `${output.path}@${output.owner}${output.region ? `@${output.region}` : ""}`;
}

/**
 * Each content is stored as an array of its lines, one JSON string per line of the file: line-based tools
 * (git diff, grep) see the same lines as in the generated files.
 */
export function parseBaseFile(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const out: Record<string, string> = {};
      for (const [key, lines] of Object.entries(parsed)) {
        if (Array.isArray(lines) && lines.every((line) => typeof line === "string")) out[key] = lines.join("\n");
      }
      return out;
    }
  } catch {
    // an unreadable base file only means no merge base: edited files then count as conflicts
  }
  return {};
}

export function serializeBaseFile(bases: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.keys(bases).sort().map((key) => [key, bases[key]!.split("\n")]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
