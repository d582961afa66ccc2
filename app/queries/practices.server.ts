import type { PracticeStatus } from "../../db/schema";
import { getDb } from "~/utils/db.server";

/** Practices that count as current: everything but closed and dormant ones. */
export const CURRENT_STATUSES: PracticeStatus[] = ["active", "proposed", "unknown"];

export interface IcbPracticeRow {
  ods_code: string;
  name: string;
  status: PracticeStatus;
  postcode: string | null;
  pcn_code: string | null;
  pcn_name: string | null;
  sub_icb_code: string | null;
  sub_icb_name: string | null;
  patients: number | null;
  is_demo: number;
}

/** The latest month for which any practice in the ICB has a list size. */
export async function latestListMonth(icbCode: string): Promise<string | null> {
  const row = await getDb()
    .selectFrom("list_sizes")
    .innerJoin("practices", "practices.ods_code", "list_sizes.practice_code")
    .select((eb) => eb.fn.max("list_sizes.month").as("month"))
    .where("practices.icb_code", "=", icbCode)
    .executeTakeFirst();
  return (row?.month as string | null | undefined) ?? null;
}

/** The ICB's practices with their PCN, sub-ICB location and list size in the given month. */
export async function listIcbPractices(
  icbCode: string,
  opts: { month: string | null; pcn?: string | null; includeNotCurrent?: boolean },
): Promise<IcbPracticeRow[]> {
  let query = getDb()
    .selectFrom("practices")
    .leftJoin("pcns", "pcns.code", "practices.pcn_code")
    .leftJoin("sub_icbs", "sub_icbs.code", "practices.sub_icb_code")
    .leftJoin("list_sizes", (join) =>
      join.onRef("list_sizes.practice_code", "=", "practices.ods_code").on("list_sizes.month", "=", opts.month ?? ""),
    )
    .select([
      "practices.ods_code",
      "practices.name",
      "practices.status",
      "practices.postcode",
      "practices.pcn_code",
      "pcns.name as pcn_name",
      "practices.sub_icb_code",
      "sub_icbs.name as sub_icb_name",
      "list_sizes.patients",
      "practices.is_demo",
    ])
    .where("practices.icb_code", "=", icbCode);
  if (!opts.includeNotCurrent) query = query.where("practices.status", "in", CURRENT_STATUSES);
  if (opts.pcn) query = query.where("practices.pcn_code", "=", opts.pcn);
  return query.orderBy("practices.ods_code").execute();
}

export async function icbPcns(icbCode: string) {
  return getDb()
    .selectFrom("pcns")
    .innerJoin("practices", "practices.pcn_code", "pcns.code")
    .select(["pcns.code", "pcns.name"])
    .select((eb) => eb.fn.countAll<number>().as("practices"))
    .where("practices.icb_code", "=", icbCode)
    .where("practices.status", "in", CURRENT_STATUSES)
    .groupBy(["pcns.code", "pcns.name"])
    .orderBy("pcns.name")
    .execute();
}

export async function practiceDetail(odsCode: string) {
  return getDb()
    .selectFrom("practices")
    .leftJoin("pcns", "pcns.code", "practices.pcn_code")
    .leftJoin("sub_icbs", "sub_icbs.code", "practices.sub_icb_code")
    .leftJoin("icbs", "icbs.code", "practices.icb_code")
    .leftJoin("regions", "regions.code", "practices.region_code")
    .selectAll("practices")
    .select(["pcns.name as pcn_name", "sub_icbs.name as sub_icb_name", "icbs.name as icb_name", "regions.name as region_name"])
    .where("practices.ods_code", "=", odsCode)
    .executeTakeFirstOrThrow();
}

export async function listSizeHistory(odsCode: string) {
  return getDb()
    .selectFrom("list_sizes")
    .select(["month", "patients"])
    .where("practice_code", "=", odsCode)
    .orderBy("month")
    .execute();
}
