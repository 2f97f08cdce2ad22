import * as z from "zod";
import { integrationSpecSchema } from "../spec/schema.js";

/**
 * The JSON Schema of a spec file, derived from the zod schema (never written by hand). A spec file may
 * leave out what is derived (pascalName, benefits) and may name this schema in `$schema`.
 */
export function specFileJsonSchema(): Record<string, unknown> {
  const specFile = integrationSpecSchema.partial({ pascalName: true, benefits: true }).extend({ $schema: z.string().optional() });
  const schema = z.toJSONSchema(specFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    ...schema,
    title: "nexus-integrate integration spec",
    description: "Fields of `nexus-integrate new --spec FILE` (JSON or YAML).",
  };
}
