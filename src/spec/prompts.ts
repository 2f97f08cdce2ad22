import { CancelledError } from "../errors.js";
import { missingFields } from "./build.js";
import { integrationSpecSchema, scopeToken, type IntegrationSpecInput } from "./schema.js";

/**
 * Interactive questions for what flags, the spec file, the preset and discovery left empty. Loaded only
 * when a prompt is needed (never with --yes or without a TTY). Every answer is checked with the same zod
 * schema as flags, so the message is the schema's.
 */

type Validator = (value: string) => true | string;

function fieldValidator(parse: (value: string) => { success: boolean; error?: { issues: { message: string }[] } }): Validator {
  return (value) => {
    const result = parse(value.trim());
    return result.success ? true : (result.error?.issues[0]?.message ?? "invalid value");
  };
}

/**
 * Scopes typed at the prompt: separated by commas. A space inside one (`crm read`) is refused by the schema, as
 * in a spec file, instead of silently making two scopes of it.
 */
export function splitScopes(value: string): string[] {
  return value
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
}

const shape = integrationSpecSchema.shape;
const syncShape = shape.sync.shape;

interface Question {
  field: string;
  message: string;
  validate: Validator;
  apply: (input: IntegrationSpecInput, answer: string) => IntegrationSpecInput;
}

const QUESTIONS: Question[] = [
  {
    field: "id",
    message: "Integration id (a slug such as acme-crm)",
    validate: fieldValidator((v) => shape.id.safeParse(v)),
    apply: (input, answer) => ({ ...input, id: answer }),
  },
  {
    field: "displayName",
    message: "Display name shown to users",
    validate: fieldValidator((v) => shape.displayName.safeParse(v)),
    apply: (input, answer) => ({ ...input, displayName: answer }),
  },
  {
    field: "authorizationUrl",
    message: "Authorization endpoint URL",
    validate: fieldValidator((v) => shape.authorizationUrl.safeParse(v)),
    apply: (input, answer) => ({ ...input, authorizationUrl: answer }),
  },
  {
    field: "tokenUrl",
    message: "Token endpoint URL",
    validate: fieldValidator((v) => shape.tokenUrl.safeParse(v)),
    apply: (input, answer) => ({ ...input, tokenUrl: answer }),
  },
  {
    field: "apiBaseUrl",
    message: "API base URL",
    validate: fieldValidator((v) => shape.apiBaseUrl.safeParse(v)),
    apply: (input, answer) => ({ ...input, apiBaseUrl: answer }),
  },
  {
    field: "scopes",
    message: "Scopes (separated by commas; empty if the provider takes none)",
    validate: (value) => {
      const scopes = splitScopes(value);
      for (const scope of scopes) {
        const result = scopeToken.safeParse(scope);
        if (!result.success) return result.error.issues[0]?.message ?? "invalid scope";
      }
      return true;
    },
    apply: (input, answer) => ({ ...input, scopes: splitScopes(answer) }),
  },
  {
    field: "sync.path",
    message: 'API path the sync function reads (for example "/v1/items")',
    validate: fieldValidator((v) => syncShape.path.safeParse(v)),
    apply: (input, answer) => ({ ...input, sync: { ...(input.sync ?? {}), path: answer } as IntegrationSpecInput["sync"] }),
  },
];

function isExitPrompt(error: unknown): boolean {
  return error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError");
}

/** Asks for each missing required field, in a fixed order. */
export async function promptForMissing(input: IntegrationSpecInput): Promise<IntegrationSpecInput> {
  const { input: ask } = await import("@inquirer/prompts");
  let current = input;
  const missing = new Set(missingFields(input).map((issue) => issue.path));
  for (const question of QUESTIONS) {
    if (!missing.has(question.field)) continue;
    try {
      const answer = await ask({ message: question.message, validate: question.validate });
      current = question.apply(current, answer.trim());
    } catch (error) {
      if (isExitPrompt(error)) throw new CancelledError();
      throw error;
    }
  }
  return current;
}

export async function confirmWrite(message: string, defaultAnswer = true): Promise<boolean> {
  const { confirm } = await import("@inquirer/prompts");
  try {
    return await confirm({ message, default: defaultAnswer });
  } catch (error) {
    if (isExitPrompt(error)) throw new CancelledError();
    throw error;
  }
}

/** Picks one of `candidates` (or types a value when there are none), for `init`. */
export async function chooseValue(message: string, candidates: string[]): Promise<string> {
  const { input, select } = await import("@inquirer/prompts");
  try {
    if (candidates.length === 0) return (await input({ message, required: true })).trim();
    return await select({ message, choices: candidates.map((value) => ({ value, name: value })) });
  } catch (error) {
    if (isExitPrompt(error)) throw new CancelledError();
    throw error;
  }
}

/** A uuid, checked as it is typed (adopt's legacy integration_id). */
export async function askUuid(message: string): Promise<string> {
  const { input } = await import("@inquirer/prompts");
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  try {
    return (await input({ message, required: true, validate: (value) => uuid.test(value.trim()) || "a uuid, such as 5b6e9c0a-3f1d-4c2e-9a7b-1d2e3f4a5b6c" })).trim();
  } catch (error) {
    if (isExitPrompt(error)) throw new CancelledError();
    throw error;
  }
}

/** A line of text, with what was detected as the default (Enter keeps it). */
export async function askText(message: string, defaultValue: string): Promise<string> {
  const { input } = await import("@inquirer/prompts");
  try {
    return (await input({ message, default: defaultValue, required: true })).trim();
  } catch (error) {
    if (isExitPrompt(error)) throw new CancelledError();
    throw error;
  }
}

const ANOTHER = "\u0000another";

/** `new` without a provider: the catalog, searchable by name; null for a provider that is not in it. */
export async function choosePreset(): Promise<string | null> {
  const { search } = await import("@inquirer/prompts");
  const { listPresetIds, presetDisplayName, rankByTerm } = await import("./presets.js");
  const choices = [
    ...listPresetIds().map((id) => ({ value: id, name: `${presetDisplayName(id)} (${id})` })),
    { value: ANOTHER, name: "Another provider… (you give its endpoints)" },
  ];
  try {
    const picked = await search({
      message: "Provider (type to filter)",
      // Names starting with what was typed come first ("hub": HubSpot before GitHub); "Another provider" stays last.
      source: (term) => [...rankByTerm(choices.slice(0, -1), term ?? ""), choices.at(-1)!],
    });
    return picked === ANOTHER ? null : picked;
  } catch (error) {
    if (isExitPrompt(error)) throw new CancelledError();
    throw error;
  }
}

/** A preset's variables not given with --var, each asked with its default and checked against its pattern. */
export async function promptForVariables(preset: string, given: Record<string, string>): Promise<Record<string, string>> {
  const { input } = await import("@inquirer/prompts");
  const { presetVariables } = await import("./presets.js");
  const values = { ...given };
  for (const [name, variable] of Object.entries(presetVariables(preset))) {
    if (name in values) continue;
    try {
      values[name] = (
        await input({
          message: `${name}: ${variable.description}${variable.required && variable.example ? ` (for example ${variable.example})` : ""}`,
          ...(variable.required ? {} : { default: variable.default }),
          validate: (value) => new RegExp(`^(?:${variable.pattern})$`).test(value.trim()) || `must match ${variable.pattern}`,
        })
      ).trim();
    } catch (error) {
      if (isExitPrompt(error)) throw new CancelledError();
      throw error;
    }
  }
  return values;
}
