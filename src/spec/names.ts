/**
 * Name derivations for an integration. Every derived name is computed once, here, from the validated id
 * and display name; templates never derive names themselves.
 */

export interface IntegrationNames {
  /** The slug: `google-analytics`. Also the kebab-case name. */
  id: string;
  kebab: string;
  /** `GoogleAnalytics`: component and type names. */
  pascal: string;
  /** `googleAnalytics`: variables and hooks. */
  camel: string;
  /** `GOOGLE_ANALYTICS`: constants and environment variables. */
  constant: string;
  /** `google_analytics`: SQL identifiers. */
  snake: string;
}

const ASCII_WORD = /[A-Za-z0-9]+/g;

export function pascalFromWords(text: string): string {
  const words = text.match(ASCII_WORD) ?? [];
  return words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
}

/**
 * The PascalName used for components when the spec does not give one: from the display name when that
 * yields an identifier (so `HubSpot` keeps its capitals), otherwise from the id.
 */
export function derivePascalName(id: string, displayName: string): string {
  const fromDisplay = pascalFromWords(displayName);
  if (/^[A-Z][A-Za-z0-9]*$/.test(fromDisplay) && fromDisplay.length <= 60) return fromDisplay;
  return pascalFromWords(id.replace(/-/g, " ").replace(/\b[a-z]/g, (c) => c.toUpperCase()));
}

export function deriveNames(id: string, pascal: string): IntegrationNames {
  return {
    id,
    kebab: id,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    constant: id.replace(/-/g, "_").toUpperCase(),
    snake: id.replace(/-/g, "_"),
  };
}
