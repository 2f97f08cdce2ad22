// Created by nexus-integrate because the app had no integrations registry. Each integration's entry sits between
// the markers; `nexus-integrate remove` takes it out, and deletes this file with the last one unless you changed it.

/** One integration the app offers. */
export interface IntegrationEntry {
  id: string;
  name: string;
  setupPath: string;
  callbackPath: string;
}

// <nexus-integrate:registry-imports>
// </nexus-integrate:registry-imports>

export const integrations: readonly IntegrationEntry[] = [
  // <nexus-integrate:registry>
  // </nexus-integrate:registry>
];
