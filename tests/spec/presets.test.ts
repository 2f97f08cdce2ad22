import { describe, expect, it } from "vitest";
import { listPresetIds, presetDisplayName, presetsStartingWith, rankByTerm } from "../../src/spec/presets.js";

/** How a typed name finds its preset: the picker's order, and a family's first word. */
describe("finding a preset by what was typed", () => {
  const choices = listPresetIds().map((id) => ({ value: id, name: `${presetDisplayName(id)} (${id})` }));

  it("the picker ranks names starting with the term first: \"hub\" puts HubSpot above GitHub", () => {
    const ranked = rankByTerm(choices, "hub").map((choice) => choice.value);
    expect(ranked[0]).toBe("hubspot");
    expect(ranked).toContain("github");
    expect(ranked.indexOf("hubspot")).toBeLessThan(ranked.indexOf("github"));
  });

  it("a word of the name starting with the term comes before a match inside a word; nothing matching is left out", () => {
    const ranked = rankByTerm([{ name: "Acme Hubble" }, { name: "GitHub" }, { name: "Other" }], "hub").map((choice) => choice.name);
    expect(ranked).toEqual(["Acme Hubble", "GitHub"]);
    expect(rankByTerm(choices, "")).toEqual(choices);
  });

  it("a family's first word names its presets", () => {
    expect(presetsStartingWith("google")).toEqual(["google-analytics", "google-workspace"]);
    expect(presetsStartingWith("Google")).toEqual(["google-analytics", "google-workspace"]);
    expect(presetsStartingWith("hubspot")).toEqual([]);
  });
});
