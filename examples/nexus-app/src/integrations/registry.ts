/** The integrations this app offers; nexus-integrate adds and removes entries between the markers. */
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
