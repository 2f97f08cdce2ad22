import type { TestDb } from "./postgres.js";

/**
 * The roles that wrote to `tables` while `run` ran: a probe trigger on each records `current_user` per row
 * written, and is dropped afterwards. `events` is each trigger's event list (for example `insert or update`).
 */
export async function rolesWriting(db: TestDb, tables: { table: string; events: string }[], run: () => Promise<void>): Promise<string[]> {
  await db.exec(`
    create table public.test_role_probe (who text);
    grant insert on public.test_role_probe to public;
    create function public.test_role_probe() returns trigger language plpgsql as $$
      begin insert into public.test_role_probe values (current_user); return null; end $$;
    grant execute on function public.test_role_probe() to public;
    ${tables.map(({ table, events }) => `create trigger test_role_probe after ${events} on ${table} for each row execute function public.test_role_probe();`).join("\n")}
  `);
  try {
    await run();
    const { rows } = await db.query<{ who: string }>("select distinct who from public.test_role_probe order by 1");
    return rows.map((row) => row.who);
  } finally {
    await db.exec(`
      ${tables.map(({ table }) => `drop trigger test_role_probe on ${table};`).join("\n")}
      drop function public.test_role_probe();
      drop table public.test_role_probe;
    `);
  }
}
