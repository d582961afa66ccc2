import type { Kysely } from "kysely";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "../../app/utils/users.server";
import { importFile } from "../../importers/core/run";
import { epraccurImporter } from "../../importers/epraccur";
import { listSizesImporter } from "../../importers/list-sizes";
import { practiceMapImporter } from "../../importers/practice-map";
import type { Database, Role } from "../schema";
import { seedDemoActivity } from "./demo-activity";
import { seedDemoAvailability } from "./demo-availability";
import { seedDemoCases } from "./demo-cases";
import { seedDemoSubmissions } from "./demo-submissions";
import { DEMO_ICBS, DEMO_REGION, demoPractices, type DemoPractice } from "./demo-organisations";
import { createRandom } from "./random";

/** The password of every demo user (README gives it). Demo data is only ever added by `npm start` / `demo seed`. */
export const DEMO_PASSWORD = "demo-password-2026";

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  icbCode?: string;
  practiceCode?: string;
}

export const DEMO_USERS: DemoUser[] = [
  { email: "commissioner@demo.example", name: "Alex Morgan", role: "icb", icbCode: "DEMO1" },
  { email: "commissioner2@demo.example", name: "Chris Patel", role: "icb", icbCode: "DEMO1" },
  { email: "commissioner@vale.demo.example", name: "Dana Okafor", role: "icb", icbCode: "DEMO2" },
  { email: "manager.dem001@demo.example", name: "Sam Taylor", role: "practice", practiceCode: "DEM001" },
  { email: "manager.dem002@demo.example", name: "Priya Shah", role: "practice", practiceCode: "DEM002" },
  { email: "admin@demo.example", name: "Jo Admin", role: "admin" },
];

/** The months the demo's list sizes cover: December 2024 to November 2026. */
export const DEMO_LIST_MONTHS: string[] = Array.from({ length: 24 }, (_, i) => {
  const d = new Date(Date.UTC(2024, 11 + i, 1));
  return d.toISOString().slice(0, 10);
});

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
const csvLine = (fields: (string | number)[]) => fields.map((f) => (/[",\n]/.test(String(f)) ? q(String(f)) : String(f))).join(",");

function epraccurCsv(practices: DemoPractice[]): string {
  return practices
    .map((p) =>
      [
        p.code, p.name, DEMO_REGION.code, p.icb, ...p.address, p.postcode, p.openDate, p.closeDate, p.status, "B",
        p.subIcb, "20220701", p.closeDate, p.phone, "", "", "", "1", "", p.subIcb, "", "RO76", "",
      ]
        .map(q)
        .join(","),
    )
    .join("\r\n") + "\r\n";
}

function practiceMapCsv(practices: DemoPractice[], extractDate: string): string {
  const header = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME";
  const lines = [header];
  for (const p of practices.filter((x) => x.status !== "INACTIVE")) {
    const icb = DEMO_ICBS.find((i) => i.code === p.icb)!;
    const sub = icb.subIcbs.find((s) => s.code === p.subIcb)!;
    const pcn = sub.pcns.find((c) => c.code === p.pcn)!;
    lines.push(
      csvLine([
        "GP_PRAC_PAT_LIST", extractDate, p.code, p.name, p.postcode, pcn.code, pcn.name, sub.ons, sub.code, sub.name,
        icb.ons, icb.code, icb.name, DEMO_REGION.ons, DEMO_REGION.code, DEMO_REGION.name, p.code.endsWith("3") ? "TPP" : "EMIS",
      ]),
    );
  }
  return lines.join("\n") + "\n";
}

/** List sizes drift month to month (about +0.4% a month with noise); closed practices stop at closure. */
export function demoListSizes(practices: DemoPractice[]): Map<string, Map<string, number>> {
  const random = createRandom(4242);
  const byMonth = new Map<string, Map<string, number>>();
  const current = new Map(practices.map((p) => [p.code, p.baseListSize]));
  for (const month of DEMO_LIST_MONTHS) {
    const rows = new Map<string, number>();
    for (const p of practices) {
      if (p.status === "INACTIVE" && month > "2025-03-01") continue;
      const size = Math.max(800, Math.round(current.get(p.code)! * (1 + random.normal(0.004, 0.006))));
      current.set(p.code, size);
      rows.set(p.code, size);
    }
    byMonth.set(month, rows);
  }
  return byMonth;
}

function listSizeCsv(month: string, sizes: Map<string, number>, practices: DemoPractice[]): string {
  const header = "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS";
  const lines = [header];
  for (const p of practices) {
    const size = sizes.get(p.code);
    if (size === undefined) continue;
    const sub = DEMO_ICBS.flatMap((i) => i.subIcbs).find((s) => s.code === p.subIcb)!;
    lines.push(csvLine(["GP_PRAC_PAT_LIST", month, "GP", sub.code, sub.ons, p.code, p.postcode, "ALL", "ALL", size]));
  }
  return lines.join("\n") + "\n";
}

export interface SeedOptions {
  ifEmpty?: boolean;
  log?: (message: string) => void;
}

/**
 * Adds the demo: two demo ICBs (DEMO1 with 104 practices in 8 PCNs, DEMO2 with 16), written as files in the
 * published layouts and loaded through the real importers, then contract types and the demo users.
 */
export async function seedDemo(db: Kysely<Database>, options: SeedOptions = {}): Promise<{ skipped: boolean }> {
  const log = options.log ?? (() => {});
  if (options.ifEmpty) {
    const any = await db.selectFrom("practices").select("ods_code").limit(1).executeTakeFirst();
    if (any) return { skipped: true };
  }
  const practices = demoPractices();
  const dir = mkdtempSync(join(tmpdir(), "icb-demo-"));
  const by = { actor: "demo-seed", ip: "cli" };
  try {
    const epraccur = join(dir, "epraccur-demo.csv");
    writeFileSync(epraccur, epraccurCsv(practices));
    log(`Demo: ${(await importFile(db, epraccurImporter, epraccur, by)).counts.inserted} practices from epraccur`);

    const map = join(dir, "gp-reg-pat-prac-map-demo.csv");
    writeFileSync(map, practiceMapCsv(practices, DEMO_LIST_MONTHS.at(-1)!));
    await importFile(db, practiceMapImporter, map, by);
    log(`Demo: memberships for ${DEMO_ICBS.length} ICBs`);

    const sizes = demoListSizes(practices);
    for (const [month, rows] of sizes) {
      const file = join(dir, `gp-reg-pat-prac-all-${month.slice(0, 7)}.csv`);
      writeFileSync(file, listSizeCsv(month, rows, practices));
      await importFile(db, listSizesImporter, file, by);
    }
    log(`Demo: list sizes for ${sizes.size} months`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  for (const p of practices) {
    await db.updateTable("practices").set({ contract_type: p.contractType }).where("ods_code", "=", p.code).execute();
  }
  for (const u of DEMO_USERS) {
    await createUser(db, { ...u, password: DEMO_PASSWORD }, { actor: "demo-seed", ip: "cli" });
  }
  log(`Demo: ${DEMO_USERS.length} users (password "${DEMO_PASSWORD}")`);

  await seedDemoAvailability(db, log);
  // After the availability: submissions go silent exactly when the tool was closed.
  await seedDemoSubmissions(db, log);
  // Monthly activity (OC submissions, appointments, workforce, calls) agrees with the submissions by day and time.
  await seedDemoActivity(db, log);
  // Last: the cases are about the availability and activity above, built through the case services.
  await seedDemoCases(db, log);
  return { skipped: false };
}
