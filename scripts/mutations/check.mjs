// Checks the mutation list against the code: every edit applies exactly once, every test file exists and is a
// behavioural one (never a golden snapshot), ids are unique. `npm test` runs this (tests/e2e/mutations.test.ts), so a
// template change that moves a safety line fails at once, not at the next mutation round.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Occurrences of `needle` in `text`. */
function count(text, needle) {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

/** Problems with the list, one line each; [] when every mutation applies. */
export function checkMutations(root, mutations) {
  const problems = [];
  const seen = new Set();
  for (const m of mutations) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(m.id)) problems.push(`${m.id}: the id must be kebab-case`);
    if (seen.has(m.id)) problems.push(`${m.id}: the id is used twice`);
    seen.add(m.id);
    if (!m.where || !m.lets) problems.push(`${m.id}: where and lets are required (the report prints them)`);
    if (!Array.isArray(m.edits) || m.edits.length === 0) problems.push(`${m.id}: no edits`);
    if (!Array.isArray(m.tests) || m.tests.length === 0) problems.push(`${m.id}: no test files`);
    for (const test of m.tests ?? []) {
      if (test.startsWith("tests/golden/")) problems.push(`${m.id}: ${test} is a golden snapshot, which catches nothing`);
      else if (!existsSync(path.join(root, test))) problems.push(`${m.id}: the test file ${test} does not exist`);
    }
    for (const edit of m.edits ?? []) {
      const file = path.join(root, edit.file);
      if (!existsSync(file)) {
        problems.push(`${m.id}: ${edit.file} does not exist`);
        continue;
      }
      if (edit.find === edit.replace) problems.push(`${m.id}: an edit of ${edit.file} changes nothing`);
      const n = count(readFileSync(file, "utf8"), edit.find);
      if (n !== 1) {
        problems.push(
          `${m.id}: the patch no longer applies: ${edit.file} has ${n === 0 ? "no" : n} occurrences of ${JSON.stringify(edit.find.split("\n")[0])}${n === 0 ? "" : " (it must be one)"}`,
        );
      }
    }
  }
  return problems;
}

/** The mutated texts of the files a mutation edits (applied in order), by relative path. */
export function applyMutation(root, mutation) {
  const texts = new Map();
  for (const edit of mutation.edits) {
    const before = texts.get(edit.file) ?? readFileSync(path.join(root, edit.file), "utf8");
    if (count(before, edit.find) !== 1) throw new Error(`${mutation.id}: the patch no longer applies to ${edit.file}`);
    texts.set(edit.file, before.replace(edit.find, () => edit.replace));
  }
  return texts;
}
