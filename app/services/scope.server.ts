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
  let current = db.selectFrom("practices").select("ods_code").where("status", "not in", ["closed", "dormant"]);
  let withData = db
    .selectFrom("compliance_days")
    .select("compliance_days.practice_code as ods_code")
    .where("compliance_days.date", ">=", args.from)
    .where("compliance_days.date", "<=", args.to);
  if (args.icb) {
    current = current.where("icb_code", "=", args.icb);
    withData = withData
      .innerJoin("practices", "practices.ods_code", "compliance_days.practice_code")
      .where("practices.icb_code", "=", args.icb);
  }
  const codes = new Set<string>();
  for (const r of await current.execute()) codes.add(r.ods_code);
  for (const r of await withData.distinct().execute()) codes.add(r.ods_code);
  return [...codes].sort();
}
