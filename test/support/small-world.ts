import type { Kysely } from "kysely";
import { createUser } from "../../app/utils/users.server";
import { DEMO_PASSWORD, DEMO_USERS } from "../../db/seed/demo";
import type { Database } from "../../db/schema";

/**
 * The demo's organisations and users in miniature, for tests that need who-may-do-what but none of the demo's
 * generated data (seeding the whole demo takes long): ICB X = DEMO1 with practices DEM001 and DEM002, ICB Y =
 * DEMO2 with DEM110, and the demo users with their usual emails, names and password (DEMO_PASSWORD).
 */
export const SMALL_WORLD = {
  icbs: [
    { code: "DEMO1", name: "NHS Demo Shire Integrated Care Board" },
    { code: "DEMO2", name: "NHS Demo Vale Integrated Care Board" },
  ],
  practices: [
    { ods_code: "DEM001", name: "NORTHGATE HEALTH CENTRE", postcode: "DM1 1AA", icb_code: "DEMO1" },
    { ods_code: "DEM002", name: "ELM TREE SURGERY", postcode: "DM1 2BB", icb_code: "DEMO1" },
    { ods_code: "DEM110", name: "VALE MEDICAL PRACTICE", postcode: "DM9 9ZZ", icb_code: "DEMO2" },
  ],
} as const;

export async function seedSmallWorld(db: Kysely<Database>): Promise<void> {
  const now = new Date().toISOString();
  await db.insertInto("regions").values({ code: "DEMOR", name: "Demo Region", ons_code: null, is_demo: 1, updated_at: now }).execute();
  await db
    .insertInto("icbs")
    .values(SMALL_WORLD.icbs.map((i) => ({ ...i, ons_code: null, region_code: "DEMOR", is_demo: 1, updated_at: now })))
    .execute();
  await db
    .insertInto("practices")
    .values(
      SMALL_WORLD.practices.map((p) => ({
        ...p,
        address_line1: null,
        address_line2: null,
        address_line3: null,
        address_line4: null,
        address_line5: null,
        phone: null,
        status: "active" as const,
        open_date: null,
        close_date: null,
        region_code: "DEMOR",
        sub_icb_code: null,
        pcn_code: null,
        contract_type: null,
        source: "test",
        is_demo: 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  for (const u of DEMO_USERS) {
    await createUser(db, { ...u, password: DEMO_PASSWORD }, { actor: "test", ip: null });
  }
}
