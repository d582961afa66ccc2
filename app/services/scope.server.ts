import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";

/**
 * The practices a report covers: one practice; an ICB's current practices (plus any of its others with data in
 * the range); or, with neither, every current practice and any other practice with availability data in the range.
 */
export async function practicesInScope(
  db: Kysely<Database>,
  args: { from: string; to: string; icb?: string; practice?: string },
): Promise<string[]> {
  if (args.practice) return [args.practice];
  if (args.icb) {
    // One query: each of the ICB's practices is a single index probe for a stored day in the range, rather than a
    // read of every stored day of the range.
    const rows = await db
      .selectFrom("practices")
      .select("ods_code")
      .where("icb_code", "=", args.icb)
      .where((eb) =>
        eb.or([
          eb("status", "not in", ["closed", "dormant"]),
          eb.exists(
            eb
              .selectFrom("compliance_days")
              .select("compliance_days.practice_code")
              .whereRef("compliance_days.practice_code", "=", "practices.ods_code")
              .where("compliance_days.date", ">=", args.from)
              .where("compliance_days.date", "<=", args.to),
          ),
        ]),
      )
      .execute();
    // Sorted here, as below, so that the order is the same whatever the database's collation.
    return rows.map((r) => r.ods_code).sort();
  }
  const current = db.selectFrom("practices").select("ods_code").where("status", "not in", ["closed", "dormant"]);
  const withData = db
    .selectFrom("compliance_days")
    .select("compliance_days.practice_code as ods_code")
    .where("compliance_days.date", ">=", args.from)
    .where("compliance_days.date", "<=", args.to);
  const codes = new Set<string>();
  for (const r of await current.execute()) codes.add(r.ods_code);
  for (const r of await withData.distinct().execute()) codes.add(r.ods_code);
  return [...codes].sort();
}
