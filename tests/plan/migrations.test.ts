import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  currentDeliveries,
  deliveredSteps,
  mergeHistory,
  parseStepMarker,
  repeatedDeliveries,
  scanDeliveredSteps,
  stepMarker,
  withoutDeletedRepeats,
  type MigrationRecord,
} from "../../src/plan/migrations.js";
import { loadTemplateSet } from "../../src/render/template-set.js";
import { tempDir } from "../helpers/fixtures.js";

const rec = (file: string, owner: string, step: string): MigrationRecord => ({ owner, step, file: `supabase/migrations/${file}` });

describe("schema steps", () => {
  const history = [
    rec("20250101000000_nexus_integrate_001_schema.sql", "shared", "001_schema"),
    rec("20250101000001_hubspot_001_integration.sql", "hubspot", "001_integration"),
    rec("20250102000000_hubspot_remove.sql", "hubspot", "remove"),
    rec("20250103000000_hubspot_001_integration.sql", "hubspot", "001_integration"),
  ];

  it("an integration's deliveries start again after its removal; shared ones never end", () => {
    expect(currentDeliveries(history, "hubspot").map((r) => r.file)).toEqual(["supabase/migrations/20250103000000_hubspot_001_integration.sql"]);
    expect([...deliveredSteps(history, "shared")]).toEqual(["001_schema"]);
    expect([...deliveredSteps(history.slice(0, 3), "hubspot")]).toEqual([]);
    expect(repeatedDeliveries(history)).toEqual([]);
  });

  it("a step delivered twice without a removal between is a repeat; once its file is deleted it is forgotten", () => {
    const twice = [...history, rec("20250104000000_nexus_integrate_001_schema.sql", "shared", "001_schema")];
    expect(repeatedDeliveries(twice)).toEqual([{ first: twice[0], repeat: twice[4] }]);
    expect(withoutDeletedRepeats(twice, () => true)).toEqual(twice);
    expect(withoutDeletedRepeats(twice, (file) => !file.includes("20250104"))).toEqual(history);
  });

  it("the lockfile's history is completed with marked files it lacks, in migration order", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "m"));
    writeFileSync(path.join(dir, "m", "20250101000000_nexus_integrate_001_schema.sql"), `${stepMarker("shared", "001_schema")}\ncreate schema x;\n`);
    writeFileSync(path.join(dir, "m", "20250101000001_app_own.sql"), "-- nexus-integrate step: mentioned later, not a marker\n");
    writeFileSync(path.join(dir, "m", "20250101000002_hubspot_001_integration.sql"), `${stepMarker("hubspot", "001_integration")}\r\nselect 1;\n`);
    const onDisk = scanDeliveredSteps(path.join(dir, "m"), "m");
    expect(onDisk).toEqual([
      { owner: "shared", step: "001_schema", file: "m/20250101000000_nexus_integrate_001_schema.sql" },
      { owner: "hubspot", step: "001_integration", file: "m/20250101000002_hubspot_001_integration.sql" },
    ]);
    expect(mergeHistory([onDisk[1]!], onDisk)).toEqual(onDisk);
    expect(parseStepMarker("create table x();\n-- nexus-integrate step: shared/001_schema\n")).toBeNull();
  });

  it("a recorded migration renamed on disk (a later timestamp) is followed, not counted twice or missing", () => {
    const recorded = [rec("20250101000000_nexus_integrate_001_schema.sql", "shared", "001_schema"), rec("20250101000001_hubspot_001_integration.sql", "hubspot", "001_integration")];
    const onDisk = [recorded[0]!, rec("20250301000000_hubspot_001_integration.sql", "hubspot", "001_integration")];
    const merged = mergeHistory(recorded, onDisk);
    expect(merged.map((r) => r.file)).toEqual(["supabase/migrations/20250101000000_nexus_integrate_001_schema.sql", "supabase/migrations/20250301000000_hubspot_001_integration.sql"]);
    expect(repeatedDeliveries(merged)).toEqual([]);
  });

  it("a migration template must be named as a step: a team template that is not is refused, naming the file and the rule", () => {
    const dir = tempDir();
    const folder = path.join(dir, "basic", "integration", "supabase", "migrations");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "{{timestamp}}_{{snake}}_extra.sql.hbs"), "select 1;\n");
    let error: unknown;
    try {
      loadTemplateSet("basic", dir, "team-templates");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).issues).toEqual([
      {
        path: "team-templates/basic/integration/supabase/migrations/{{timestamp}}_{{snake}}_extra.sql.hbs",
        message: expect.stringContaining("{{timestamp}}_{{snake}}_NNN_<what>.sql"),
      },
    ]);
  });
});
