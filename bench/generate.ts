/**
 * The benchmark's national dataset: a deterministic (seeded) England-shaped set of GP practices and a year of their
 * data, written as files in the exact published layouts (../shared/reference/data-formats.md) and in the
 * availability log format (docs/formats/availability.md), so that `bench/run.ts` loads it through the real CLI.
 *
 * Synthetic codes (ADR 13): practices `I` + 5 digits (the practice code frame never issues the letter I, which reads
 * as 1), ICBs `BEN01`…, sub-ICB locations `BEN01A`…, PCNs `BENP0001`…, regions `BENR1`…; every name says "Bench",
 * postcodes use the non-existent area QQ, phone numbers Ofcom's drama ranges.
 *
 * Every value is drawn from a seed made of the scale's seed and what it describes (practice, date, month…), so the
 * files are byte-for-byte the same on every run and machine (zips carry a fixed timestamp).
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import yazl from "yazl";
import { addDays, CoreHoursCalendar, datesBetween, londonOffset, weekday } from "../app/domain/calendar";
import { createRandom, type Random } from "../db/seed/random";

// ---------------------------------------------------------------------------------------------------------------
// Scales

export type ScaleName = "full" | "quick" | "tiny";

export interface BenchScale {
  name: ScaleName;
  seed: number;
  /** Current (active) GP practices. */
  practices: number;
  icbs: number;
  /** Practices in the largest ICB. */
  largestIcb: number;
  /** Closed practices and non-GP prescribing cost centres in epraccur (not loaded as current practices). */
  closedPractices: number;
  nonGpRows: number;
  /** The calendar months of data, `YYYY-MM-01`, oldest first. */
  months: string[];
  /** By Day and Time (hourly) files for the latest N months; the monthly OC figures are their sums in every month. */
  hourlyMonths: number;
  /** About how many appointment crosstab rows a practice has in a month (the published file has about 160). */
  crosstabCells: number;
}

const monthsEnding = (last: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => {
    const [y, m] = last.split("-").map(Number);
    return new Date(Date.UTC(y!, m! - 1 - (n - 1 - i), 1)).toISOString().slice(0, 10);
  });

/** The last month of data in every scale; the "new day" is the first core day after it. */
export const LAST_MONTH = "2026-10-01";

export const SCALES: Record<ScaleName, BenchScale> = {
  full: {
    name: "full",
    seed: 20261001,
    practices: 6300,
    icbs: 42,
    largestIcb: 420,
    closedPractices: 640,
    nonGpRows: 220,
    months: monthsEnding(LAST_MONTH, 12),
    hourlyMonths: 12,
    crosstabCells: 160,
  },
  quick: {
    name: "quick",
    seed: 20261001,
    practices: 300,
    icbs: 3,
    largestIcb: 150,
    closedPractices: 30,
    nonGpRows: 10,
    months: monthsEnding(LAST_MONTH, 2),
    hourlyMonths: 2,
    crosstabCells: 160,
  },
  tiny: {
    name: "tiny",
    seed: 7,
    practices: 24,
    icbs: 2,
    largestIcb: 14,
    closedPractices: 2,
    nonGpRows: 1,
    months: monthsEnding(LAST_MONTH, 1),
    hourlyMonths: 1,
    crosstabCells: 24,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The manifest: what was written and how to import it

/** One CLI invocation: `import <importer> FILES… ARGS…`. */
export interface ImportStep {
  importer: string;
  /** Paths relative to the dataset directory. */
  files: string[];
  /** Extra CLI arguments (`--covers`, `--source`). */
  args: string[];
}

export interface Manifest {
  version: 1;
  scale: BenchScale;
  /** Hash of the scale and the generator's own source: a dataset is reused only when it matches. */
  inputsHash: string;
  practices: number;
  icbs: { code: string; practices: number }[];
  largestIcb: string;
  /** A practice of the largest ICB with regular closures and full data: the practice pages timed. */
  samplePractice: string;
  months: string[];
  hourlyMonths: string[];
  steps: ImportStep[];
  /** One more day of availability logs for every practice (the incremental recompute). */
  newDay: { date: string; file: string };
  /** Data rows written per importer (for the CLI's counts to be checked against). */
  rows: Record<string, number>;
  bytes: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeds

export function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Organisations

export interface Region {
  code: string;
  name: string;
  ons: string;
  half: "north" | "south";
}

export interface Icb {
  code: string;
  name: string;
  ons: string;
  region: Region;
}

export interface SubIcb {
  code: string;
  name: string;
  ons: string;
  icb: Icb;
}

export interface Pcn {
  code: string;
  name: string;
  sub: SubIcb;
}

export type Behaviour = "compliant" | "occasional" | "lunchtime" | "daily-cap" | "clinical-afternoons" | "gaps" | "switched-off";

export interface Practice {
  code: string;
  name: string;
  pcn: Pcn;
  /** Registered patients in the first month; later months drift. */
  baseList: number;
  supplier: Supplier;
  system: "EMIS" | "TPP";
  behaviour: Behaviour;
  /** "gaps": the month its supplier sent nothing; "switched-off": the first date of the switch-off. */
  gapMonth: string | null;
  switchOff: { from: string; to: string } | null;
  postcode: string;
  phone: string;
  street: string;
  town: string;
  openDate: string;
  /** Online demand relative to the list size (about 1). */
  demandLevel: number;
}

/** The availability suppliers and how each writes its log. */
export const SUPPLIERS = ["bench-alpha", "bench-bravo", "bench-charlie", "bench-delta"] as const;
export type Supplier = (typeof SUPPLIERS)[number];
/** London local times (`2026-03-30 08:00`). */
const LOCAL: Supplier = "bench-alpha";
/** ISO 8601 with London's offset (`2026-03-30T08:00:00+01:00`). */
const OFFSET: Supplier = "bench-bravo";
/** Closures-only suspension logs, imported with `--covers` for each month. */
export const CLOSURES_ONLY: Supplier = "bench-charlie";
/** ISO 8601 in UTC (`2026-03-30T07:00:00Z`). */
const UTC: Supplier = "bench-delta";

const REGIONS: Region[] = [
  { code: "BENR1", name: "Bench North East and Yorkshire", ons: "E40900001", half: "north" },
  { code: "BENR2", name: "Bench North West", ons: "E40900002", half: "north" },
  { code: "BENR3", name: "Bench Midlands", ons: "E40900003", half: "north" },
  { code: "BENR4", name: "Bench East of England", ons: "E40900004", half: "south" },
  { code: "BENR5", name: "Bench London", ons: "E40900005", half: "south" },
  { code: "BENR6", name: "Bench South East", ons: "E40900006", half: "south" },
  { code: "BENR7", name: "Bench South West", ons: "E40900007", half: "south" },
];

const PLACES = [
  "Riverside", "Oakfield", "Market Street", "Kingsmere", "Ashford Vale", "Millbrook", "Harbourside", "Cathedral", "Northgate",
  "Southfields", "Westbury", "Eastfield", "Hillcrest", "Meadowbank", "Church Lane", "Station Road", "Park View", "Willow",
  "Beacon", "Castle", "Abbey", "Orchard", "Brookside", "Fairfield", "Greenway", "Highfield", "Lakeside", "Moorland", "Priory",
  "Queensway", "Rosehill", "St Annes", "Thornbury", "Valley", "Woodlands", "Elmwood", "Foxhill", "Grange", "Heathside",
  "Ivy House", "Juniper", "Kestrel", "Larchwood", "Maple", "Newlands", "Oak Tree", "Pinewood", "Quarry Hill", "Redbrook",
];
const KINDS = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice", "Group Practice"];
const STREETS = ["HIGH STREET", "CHURCH ROAD", "STATION ROAD", "MILL LANE", "THE GREEN", "PARK ROAD", "LONDON ROAD", "VICTORIA ROAD"];
/** Ofcom's drama ranges: 1,000 numbers each. */
const DRAMA_PHONES = [
  "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0", "0131 496 0",
  "0141 496 0", "0151 496 0", "0161 496 0", "020 7946 0", "0191 498 0", "029 2018 0", "01632 960", "028 9649 6",
];

/** ICB sizes: a log-normal spread, the largest fixed, summing to the number of practices. */
function icbSizes(scale: BenchScale): number[] {
  const random = createRandom(hash32(`${scale.seed}:icb-sizes`));
  const n = scale.icbs;
  if (n === 1) return [scale.practices];
  const rest = scale.practices - scale.largestIcb;
  const weights = Array.from({ length: n - 1 }, () => Math.exp(random.normal(0, 0.5))).sort((a, b) => b - a);
  const sum = weights.reduce((a, b) => a + b, 0);
  // Strictly smaller than the largest (by up to 10 practices), and able to hold the rest between them.
  const cap = scale.largestIcb - Math.max(1, Math.min(10, Math.floor(scale.largestIcb / 10)));
  const floor = Math.max(2, Math.round(rest / (n - 1) / 4));
  if (cap * (n - 1) < rest || floor * (n - 1) > rest) throw new Error(`scale ${scale.name}: ${scale.practices} practices cannot be split into ${n} ICBs with the largest ${scale.largestIcb}`);
  const sizes = weights.map((w) => Math.min(cap, Math.max(floor, Math.round((w / sum) * rest))));
  // Put the rounding difference on the middle-sized ICBs, one practice at a time.
  let diff = rest - sizes.reduce((a, b) => a + b, 0);
  for (let i = Math.floor(sizes.length / 2); diff !== 0; i = (i + 1) % sizes.length) {
    const step = diff > 0 ? 1 : -1;
    if (sizes[i]! + step >= floor && sizes[i]! + step <= cap) {
      sizes[i]! += step;
      diff -= step;
    }
  }
  return [scale.largestIcb, ...sizes];
}

function behaviourFor(random: Random): Behaviour {
  const x = random.next();
  if (x < 0.72) return "compliant";
  if (x < 0.82) return "occasional";
  if (x < 0.88) return "lunchtime";
  if (x < 0.93) return "daily-cap";
  if (x < 0.96) return "clinical-afternoons";
  if (x < 0.99) return "gaps";
  return "switched-off";
}

export interface Organisations {
  regions: Region[];
  icbs: Icb[];
  subIcbs: SubIcb[];
  pcns: Pcn[];
  practices: Practice[];
}

export function organisations(scale: BenchScale): Organisations {
  const sizes = icbSizes(scale);
  const icbs: Icb[] = [];
  const subIcbs: SubIcb[] = [];
  const pcns: Pcn[] = [];
  const practices: Practice[] = [];
  const usedRegions = new Set<Region>();
  let pcnNumber = 0;
  let practiceNumber = 0;
  const firstDay = scale.months[0]!;
  const lastDay = lastDayOf(scale.months.at(-1)!);
  for (const [i, size] of sizes.entries()) {
    const two = String(i + 1).padStart(2, "0");
    const region = REGIONS[(i * 3) % REGIONS.length]!;
    usedRegions.add(region);
    const place = PLACES[i % PLACES.length]!;
    const icb: Icb = { code: `BEN${two}`, name: `NHS Bench ${place} Integrated Care Board`, ons: `E54900${String(i + 1).padStart(3, "0")}`, region };
    icbs.push(icb);
    // Primary supplier of the ICB (ICBs often procure one); a third of its practices use another.
    const icbRandom = createRandom(hash32(`${scale.seed}:icb:${icb.code}`));
    const primary = SUPPLIERS[i % SUPPLIERS.length]!;
    const subCount = Math.min(9, Math.max(1, Math.round(size / 60)));
    let placed = 0;
    for (let s = 0; s < subCount; s++) {
      const sub: SubIcb = {
        code: `${icb.code}${String.fromCharCode(65 + s)}`,
        name: `NHS Bench ${place} ICB - ${icb.code}${String.fromCharCode(65 + s)}`,
        ons: `E38900${String(subIcbs.length + 1).padStart(3, "0")}`,
        icb,
      };
      subIcbs.push(sub);
      const inSub = Math.round(((s + 1) * size) / subCount) - placed;
      placed += inSub;
      const pcnCount = Math.max(1, Math.round(inSub / 10));
      let inPcns = 0;
      for (let c = 0; c < pcnCount; c++) {
        pcnNumber++;
        const pcn: Pcn = { code: `BENP${String(pcnNumber).padStart(4, "0")}`, name: `BENCH ${PLACES[pcnNumber % PLACES.length]!.toUpperCase()} ${pcnNumber} PCN`, sub };
        pcns.push(pcn);
        const inPcn = Math.round(((c + 1) * inSub) / pcnCount) - inPcns;
        inPcns += inPcn;
        for (let k = 0; k < inPcn; k++) {
          practiceNumber++;
          const code = `I${String(practiceNumber).padStart(5, "0")}`;
          const random = createRandom(hash32(`${scale.seed}:practice:${code}`));
          const behaviour = behaviourFor(random);
          const gapMonth = behaviour === "gaps" ? scale.months[random.int(0, scale.months.length - 1)]! : null;
          let switchOff: Practice["switchOff"] = null;
          if (behaviour === "switched-off") {
            const start = addDays(firstDay, random.int(0, Math.max(0, datesBetween(firstDay, lastDay).length - 30)));
            switchOff = { from: start, to: addDays(start, random.int(14, 35)) };
          }
          const supplier = icbRandom.chance(0.67) ? primary : SUPPLIERS[random.int(0, SUPPLIERS.length - 1)]!;
          practices.push({
            code,
            name: `BENCH ${random.pick(PLACES).toUpperCase()} ${random.pick(KINDS).toUpperCase()}`,
            pcn,
            baseList: Math.round(Math.min(45000, Math.max(1500, Math.exp(random.normal(Math.log(9500), 0.5))))),
            supplier,
            system: random.chance(0.6) ? "EMIS" : "TPP",
            behaviour,
            gapMonth,
            switchOff,
            postcode: `QQ${random.int(1, 99)} ${random.int(1, 9)}${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}`,
            phone: `${DRAMA_PHONES[Math.floor((practiceNumber - 1) / 1000) % DRAMA_PHONES.length]}${String((practiceNumber - 1) % 1000).padStart(3, "0")}`,
            street: `${random.int(1, 200)} ${random.pick(STREETS)}`,
            town: `BENCH ${place.toUpperCase()}`,
            openDate: `${random.int(1974, 2018)}0401`,
            demandLevel: Math.exp(random.normal(-0.03, 0.25)),
          });
        }
      }
    }
  }
  return { regions: REGIONS.filter((r) => usedRegions.has(r)), icbs, subIcbs, pcns, practices };
}

// ---------------------------------------------------------------------------------------------------------------
// A practice's day: opening and closures (shared by the availability logs and the submissions)

interface Closure {
  /** Minutes of the London day, [from, to). */
  from: number;
  to: number;
  category: "all" | "clinical";
  reason: string;
}

export interface DayPlan {
  /** The tool's opening on the day, minutes of the London day. */
  open: number;
  close: number;
  /** Extra cuts of the open stretch (suppliers log sessions). */
  splits: number[];
  closures: Closure[];
}

/** A supplier-wide outage per supplier: on the 13th (or the next weekday) of the middle month. */
function outageDate(scale: BenchScale, supplier: Supplier): string {
  const month = scale.months[Math.floor(scale.months.length / 2)]!;
  let d = `${month.slice(0, 8)}${String(10 + SUPPLIERS.indexOf(supplier)).padStart(2, "0")}`;
  while (weekday(d) === 0 || weekday(d) === 6) d = addDays(d, 1);
  return d;
}

/** Null when the supplier sent nothing for the practice that day ("gaps" months). */
export function dayPlan(scale: BenchScale, p: Practice, date: string, outages: Map<Supplier, string>): DayPlan | null {
  if (p.gapMonth !== null && date.slice(0, 7) === p.gapMonth.slice(0, 7)) return null;
  const random = createRandom(hash32(`${scale.seed}:day:${p.code}:${date}`));
  const open = random.int(7 * 60 + 30, 7 * 60 + 59);
  const close = random.int(18 * 60 + 45, 20 * 60);
  const splits: number[] = [];
  if (random.chance(0.2)) splits.push(random.int(9 * 60, 17 * 60));
  const closures: Closure[] = [];
  const dow = weekday(date);
  if (p.switchOff && date >= p.switchOff.from && date <= p.switchOff.to) {
    closures.push({ from: open, to: close, category: "all", reason: "Online consultation switched off: staffing" });
    return { open, close, splits, closures };
  }
  if (outages.get(p.supplier) === date) closures.push({ from: 9 * 60 + 10, to: 11 * 60 + 40, category: "all", reason: "Supplier outage (platform incident)" });
  const add = (c: Closure) => {
    if (!closures.some((x) => c.from < x.to && c.to > x.from)) closures.push(c);
  };
  switch (p.behaviour) {
    case "compliant":
    case "gaps":
      if (random.chance(0.02)) {
        const from = random.int(8 * 60, 18 * 60);
        add({ from, to: from + random.int(1, 3), category: "all", reason: "Reconnecting" });
      }
      break;
    case "occasional":
      if (random.chance(1 / 12)) {
        const length = random.int(20, 90);
        const from = random.int(8 * 60 + 15, 18 * 60 + 30 - length);
        add({ from, to: from + length, category: "all", reason: random.pick(["Staff sickness", "IT problem", "Capacity reached"]) });
      }
      break;
    case "lunchtime":
      add({ from: 13 * 60, to: 14 * 60, category: "all", reason: "Lunchtime closure" });
      break;
    case "daily-cap": {
      const capped = dow === 1 ? random.chance(0.8) : random.chance(0.2);
      const from = dow === 1 ? random.int(10 * 60 + 30, 11 * 60 + 30) : random.int(12 * 60, 13 * 60);
      if (capped) add({ from, to: close, category: "all", reason: "Daily capacity reached" });
      break;
    }
    case "clinical-afternoons":
      add({ from: 15 * 60, to: 18 * 60 + 30, category: "clinical", reason: "Clinical triage capacity" });
      break;
    case "switched-off":
      break;
  }
  closures.sort((a, b) => a.from - b.from);
  return { open, close, splits, closures };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

const FIXED_MTIME = new Date(Date.UTC(2026, 0, 1));

/** A CSV file written in large chunks, with back-pressure. */
class CsvWriter {
  private chunks: string[] = [];
  private size = 0;
  rows = 0;
  private readonly stream: WriteStream;

  constructor(
    readonly path: string,
    private readonly eol: string,
    prefix = "",
  ) {
    this.stream = createWriteStream(path);
    if (prefix) this.chunks.push(prefix);
  }

  /** A header or data line; `data` lines are counted as rows. */
  async line(text: string, data = true): Promise<void> {
    this.chunks.push(text, this.eol);
    this.size += text.length + 2;
    if (data) this.rows++;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const text = this.chunks.join("");
    this.chunks = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, "close");
  }
}

/** Zips member files (then deletes them) with a fixed timestamp and mode, so the same members give the same bytes. */
async function zipMembers(path: string, members: { file: string; name: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addFile(m.file, m.name, { mtime: FIXED_MTIME, mode: 0o100644 });
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, "close");
  for (const m of members) rmSync(m.file, { force: true });
}

const field = (s: string | number) => {
  const t = String(s);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};
const csv = (fields: (string | number)[]) => fields.map(field).join(",");
const quoted = (fields: string[]) => fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(",");

const pad2 = (n: number) => String(n).padStart(2, "0");
const hhmm = (minute: number) => `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const monthLabel = (month: string) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
const lastDayOf = (month: string) => {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
};

// ---------------------------------------------------------------------------------------------------------------
// Reference files: epraccur, the practice map, list sizes

async function writeEpraccur(dir: string, scale: BenchScale, orgs: Organisations): Promise<number> {
  const out = new CsvWriter(join(dir, "epraccur.csv"), "\r\n");
  const row = (code: string, name: string, icb: Icb, sub: string, status: string, close: string, role: string, p?: Practice) =>
    quoted([
      code, name, icb.region.code, icb.code, p?.street ?? "1 HIGH STREET", "", "", p?.town ?? "BENCH", "", p?.postcode ?? "QQ1 1AA",
      p?.openDate ?? "19740401", close, status, "B", sub, "20220701", close, p?.phone ?? "01632 960999", "", "", "", "1", "", sub, "", role, "",
    ]);
  // Current practices, then closed practices and other prescribing cost centres (read but not loaded as current).
  for (const p of orgs.practices) await out.line(row(p.code, p.name, p.pcn.sub.icb, p.pcn.sub.code, "ACTIVE", "", "RO76", p));
  const random = createRandom(hash32(`${scale.seed}:epraccur-extra`));
  let n = orgs.practices.length;
  for (let i = 0; i < scale.closedPractices; i++) {
    const sub = orgs.subIcbs[random.int(0, orgs.subIcbs.length - 1)]!;
    n++;
    await out.line(row(`I${String(n).padStart(5, "0")}`, `BENCH CLOSED ${random.pick(KINDS).toUpperCase()} ${i + 1}`, sub.icb, sub.code, "INACTIVE", `20${random.int(10, 24)}0331`, "RO76"));
  }
  for (let i = 0; i < scale.nonGpRows; i++) {
    const sub = orgs.subIcbs[random.int(0, orgs.subIcbs.length - 1)]!;
    n++;
    await out.line(row(`I${String(n).padStart(5, "0")}`, `BENCH WALK-IN CENTRE ${i + 1}`, sub.icb, sub.code, "ACTIVE", "", "RO87"));
  }
  await out.close();
  return out.rows;
}

const PRACTICE_MAP_HEADER =
  "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME";

async function writePracticeMap(dir: string, scale: BenchScale, orgs: Organisations): Promise<number> {
  const out = new CsvWriter(join(dir, "gp-reg-pat-prac-map.csv"), "\r\n");
  await out.line(PRACTICE_MAP_HEADER, false);
  const extract = scale.months.at(-1)!;
  for (const p of orgs.practices) {
    const { sub } = p.pcn;
    const { icb } = sub;
    await out.line(
      csv([
        "GP_PRAC_PAT_LIST", extract, p.code, p.name, p.postcode, p.pcn.code, p.pcn.name, sub.ons, sub.code, sub.name, icb.ons, icb.code, icb.name,
        icb.region.ons, icb.region.code, icb.region.name, p.system,
      ]),
    );
  }
  await out.close();
  return out.rows;
}

/** Registered patients per practice per month: about +0.3% a month, with noise. */
function listSizes(scale: BenchScale, orgs: Organisations): Map<string, Map<string, number>> {
  const byMonth = new Map<string, Map<string, number>>();
  const current = new Map(orgs.practices.map((p) => [p.code, p.baseList]));
  for (const month of scale.months) {
    const rows = new Map<string, number>();
    for (const p of orgs.practices) {
      const random = createRandom(hash32(`${scale.seed}:list:${p.code}:${month}`));
      const size = Math.max(1000, Math.round(current.get(p.code)! * (1 + random.normal(0.003, 0.005))));
      current.set(p.code, size);
      rows.set(p.code, size);
    }
    byMonth.set(month, rows);
  }
  return byMonth;
}

async function writeListSizes(dir: string, scale: BenchScale, orgs: Organisations, sizes: Map<string, Map<string, number>>): Promise<{ files: string[]; rows: number }> {
  const files: string[] = [];
  let rows = 0;
  for (const month of scale.months) {
    const file = `gp-reg-pat-prac-all-${month.slice(0, 7)}.csv`;
    const out = new CsvWriter(join(dir, file), "\r\n");
    await out.line("PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS", false);
    for (const p of orgs.practices) {
      await out.line(csv(["GP_PRAC_PAT_LIST", month, "GP", p.pcn.sub.code, p.pcn.sub.ons, p.code, p.postcode, "ALL", "ALL", sizes.get(month)!.get(p.code)!]));
    }
    await out.close();
    rows += out.rows;
    files.push(file);
  }
  return { files, rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Availability logs

/** A time in the supplier's own way of writing it, from a London date and minute of that day. */
function timeText(supplier: Supplier, date: string, minute: number): string {
  // Minutes may run past midnight (a night closure ending next morning): carry into the next date.
  let d = date;
  let m = minute;
  while (m >= 1440) {
    d = addDays(d, 1);
    m -= 1440;
  }
  if (supplier === LOCAL || supplier === CLOSURES_ONLY) return `${d} ${hhmm(m)}`;
  const offset = londonOffset(d);
  if (supplier === OFFSET) return `${d}T${hhmm(m)}:00+${hhmm(offset)}`;
  if (supplier !== UTC) throw new Error(`no time style for supplier ${supplier}`);
  // UTC: opening times are 07:30–20:00 London, so never cross midnight.
  return `${d}T${hhmm(m - offset)}:00Z`;
}

interface LogRow {
  date: string;
  from: number;
  to: number;
  status: "open" | "closed";
  category: "all" | "clinical" | "admin";
  reason: string;
}

/** A full log of one practice-day: the open stretches around the closures, and the closures. */
function fullLogRows(date: string, plan: DayPlan): LogRow[] {
  const rows: LogRow[] = [];
  for (const c of plan.closures) {
    const to = Math.min(c.to, plan.close);
    rows.push({ date, from: c.from, to, status: "closed", category: c.category, reason: c.reason });
    if (c.category === "clinical") rows.push({ date, from: c.from, to, status: "open", category: "admin", reason: "" });
  }
  const cuts = [...new Set([plan.open, plan.close, ...plan.splits, ...plan.closures.flatMap((c) => [c.from, Math.min(c.to, plan.close)])])]
    .filter((x) => x >= plan.open && x <= plan.close)
    .sort((a, b) => a - b);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!;
    const b = cuts[k + 1]!;
    if (plan.closures.some((c) => a >= c.from && a < c.to)) continue;
    rows.push({ date, from: a, to: b, status: "open", category: "all", reason: "" });
  }
  return rows.sort((x, y) => x.from - y.from || x.to - y.to);
}

const AVAILABILITY_HEADER = "practice_code,start,end,status,category,reason,source";

/** A log line, with times as `style` writes them; the source is the supplier unless given. */
function logLine(p: Practice, r: LogRow, style: Supplier, endDate = r.date, source: string = style): string {
  return csv([p.code, timeText(style, r.date, r.from), timeText(style, endDate, r.to), r.status, r.category === "all" ? "" : r.category, r.reason, source]);
}

async function writeAvailability(
  dir: string,
  scale: BenchScale,
  orgs: Organisations,
  calendar: CoreHoursCalendar,
  outages: Map<Supplier, string>,
): Promise<{ steps: ImportStep[]; rows: number }> {
  mkdirSync(join(dir, "availability"), { recursive: true });
  const fullFiles: string[] = [];
  const steps: ImportStep[] = [];
  let rows = 0;
  for (const month of scale.months) {
    const dates = datesBetween(month, lastDayOf(month));
    for (const supplier of SUPPLIERS) {
      const file = `availability/availability-${supplier}-${month.slice(0, 7)}.csv`;
      const out = new CsvWriter(join(dir, file), "\n");
      await out.line(AVAILABILITY_HEADER, false);
      for (const p of orgs.practices) {
        if (p.supplier !== supplier) continue;
        if (supplier !== CLOSURES_ONLY) {
          for (const date of dates) {
            if (!calendar.isCoreDay(date)) continue;
            const plan = dayPlan(scale, p, date, outages);
            if (!plan) continue;
            for (const r of fullLogRows(date, plan)) await out.line(logLine(p, r, supplier));
          }
          continue;
        }
        // Closures-only: the closures, and the tool closed outside its opening on every day of the month.
        if (p.gapMonth !== null && p.gapMonth === month) continue;
        let closedFrom: { date: string; minute: number } = { date: month, minute: 0 };
        for (const date of dates) {
          if (!calendar.isCoreDay(date)) continue;
          const plan = dayPlan(scale, p, date, outages)!;
          const gap = { date: closedFrom.date, from: closedFrom.minute, to: plan.open, status: "closed" as const, category: "all" as const, reason: "Outside opening hours" };
          await out.line(logLine(p, gap, supplier, date));
          for (const c of plan.closures) {
            await out.line(logLine(p, { date, from: c.from, to: Math.min(c.to, plan.close), status: "closed", category: c.category, reason: c.reason }, supplier));
          }
          closedFrom = { date, minute: plan.close };
        }
        const monthEnd = addDays(lastDayOf(month), 1);
        await out.line(logLine(p, { date: closedFrom.date, from: closedFrom.minute, to: 0, status: "closed", category: "all", reason: "Outside opening hours" }, supplier, monthEnd));
      }
      await out.close();
      rows += out.rows;
      if (supplier === CLOSURES_ONLY) steps.push({ importer: "availability", files: [file], args: ["--covers", `${month}..${lastDayOf(month)}`] });
      else fullFiles.push(file);
    }
  }
  steps.unshift({ importer: "availability", files: fullFiles, args: [] });
  return { steps, rows };
}

/** One more core day, after the last month, for every practice: one full log (each row's source is its supplier). */
export function newDayOf(scale: BenchScale, calendar: CoreHoursCalendar): string {
  let d = addDays(lastDayOf(scale.months.at(-1)!), 1);
  while (!calendar.isCoreDay(d)) d = addDays(d, 1);
  return d;
}

async function writeNewDay(dir: string, scale: BenchScale, orgs: Organisations, date: string): Promise<{ file: string; rows: number }> {
  const file = `availability/availability-day-${date}.csv`;
  const out = new CsvWriter(join(dir, file), "\n");
  await out.line(AVAILABILITY_HEADER, false);
  const noOutages = new Map<Supplier, string>();
  for (const p of orgs.practices) {
    const plan = dayPlan(scale, { ...p, gapMonth: null }, date, noOutages)!;
    for (const r of fullLogRows(date, plan)) await out.line(logLine(p, r, LOCAL, date, p.supplier));
  }
  await out.close();
  return { file, rows: out.rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Submissions by day and time (hourly) and their monthly sums

const HOUR_WEIGHT: Record<number, number> = { 7: 4, 8: 17, 9: 13, 10: 10.5, 11: 9, 12: 7.5, 13: 7, 14: 7, 15: 6.5, 16: 6, 17: 5.5, 18: 5, 19: 6 };
const TYPICAL_DAY_WEIGHT = 98;
const WEEKDAY_FACTOR = [0, 1.45, 1.05, 0.95, 0.9, 0.85];
const MEAN_WEEKDAY_FACTOR = 1.04;
/** Submissions per registered patient per month (about 135 per 1,000). */
const RATE_PER_PATIENT_MONTH = 0.135;

function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(random.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

/** Minutes of hour `h` the tool was open for a kind of request. Closures never overlap one another. */
function openInHour(h: number, plan: DayPlan, kind: "clinical" | "admin"): number {
  const a = Math.max(h * 60, plan.open);
  const b = Math.min(h * 60 + 60, plan.close);
  if (b <= a) return 0;
  let n = b - a;
  for (const c of plan.closures) {
    if (c.category === "clinical" && kind === "admin") continue;
    n -= Math.max(0, Math.min(b, c.to) - Math.max(a, c.from));
  }
  return Math.max(0, n);
}

const seasonal = (month: string) => {
  const m = Number(month.slice(5, 7));
  return m === 12 || m <= 2 ? 1.1 : m === 8 ? 0.88 : 1;
};

export interface MonthSums {
  total: number;
  clinical: number;
  admin: number;
  other: number;
}

export const BY_DAY_AND_TIME_HEADER =
  "DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL";

const ocSupplierName = (s: Supplier) => s.replace("bench-", "BENCH ").toUpperCase();

async function writeSubmissions(
  dir: string,
  scale: BenchScale,
  orgs: Organisations,
  calendar: CoreHoursCalendar,
  outages: Map<Supplier, string>,
  sizes: Map<string, Map<string, number>>,
  tmp: string,
): Promise<{ files: string[]; rows: number; sums: Map<string, MonthSums> }> {
  const sums = new Map<string, MonthSums>();
  const files: string[] = [];
  let rows = 0;
  const hourly = new Set(scale.months.slice(scale.months.length - scale.hourlyMonths));
  const prefix = new Map(
    orgs.practices.map((p) => {
      const { sub } = p.pcn;
      return [p.code, csv([p.code, p.name, ocSupplierName(p.supplier), p.pcn.code, p.pcn.name, sub.code, sub.icb.code, sub.icb.name, sub.icb.region.code, sub.icb.region.name])];
    }),
  );
  for (const month of scale.months) {
    const write = hourly.has(month);
    const name = `Submissions via OC Systems By Day and Time - ${monthLabel(month)}`;
    const halves = write
      ? { north: new CsvWriter(join(tmp, "north.csv"), "\r\n"), south: new CsvWriter(join(tmp, "south.csv"), "\r\n") }
      : null;
    if (halves) for (const h of [halves.north, halves.south]) await h.line(BY_DAY_AND_TIME_HEADER, false);
    const dates = calendar.coreDays(month, lastDayOf(month));
    const factor = seasonal(month);
    for (const p of orgs.practices) {
      const sum: MonthSums = { total: 0, clinical: 0, admin: 0, other: 0 };
      const perDay = (sizes.get(month)!.get(p.code)! * RATE_PER_PATIENT_MONTH * 12) / 253;
      const demand = p.behaviour === "daily-cap" ? 1.8 : 1;
      const out = halves ? (p.pcn.sub.icb.region.half === "north" ? halves.north : halves.south) : null;
      const head = prefix.get(p.code)!;
      for (const date of dates) {
        const plan = dayPlan(scale, p, date, outages);
        if (!plan) continue;
        const random = createRandom(hash32(`${scale.seed}:submissions:${p.code}:${date}`));
        const wd = weekday(date);
        const day = perDay * demand * p.demandLevel * factor * (WEEKDAY_FACTOR[wd]! / MEAN_WEEKDAY_FACTOR) * Math.exp(random.normal(-0.01, 0.15));
        const [y, m, d] = date.split("-");
        const shown = `${d}/${m}/${y},${WEEKDAY_NAMES[wd]}`;
        for (let h = 7; h <= 19; h++) {
          const perMinute = (day * HOUR_WEIGHT[h]!) / TYPICAL_DAY_WEIGHT / 60;
          const clinicalMinutes = openInHour(h, plan, "clinical");
          const adminMinutes = openInHour(h, plan, "admin");
          const clinical = poisson(random, perMinute * clinicalMinutes * 0.66);
          const admin = poisson(random, perMinute * adminMinutes * 0.26);
          const other = poisson(random, perMinute * adminMinutes * 0.08);
          const total = clinical + admin + other;
          if (total === 0) continue;
          sum.total += total;
          sum.clinical += clinical;
          sum.admin += admin;
          sum.other += other;
          if (out) await out.line(`${shown},${pad2(h)}:00-${pad2(h)}:59,${head},${clinical},${admin},${other},${total}`);
        }
      }
      sums.set(`${p.code}|${month}`, sum);
    }
    if (halves) {
      await halves.north.close();
      await halves.south.close();
      rows += halves.north.rows + halves.south.rows;
      const file = `${name}.zip`;
      await zipMembers(join(dir, file), [
        { file: halves.north.path, name: `${name}_north_regions.csv` },
        { file: halves.south.path, name: `${name}_south_regions.csv` },
      ]);
      files.push(file);
    }
  }
  return { files, rows, sums };
}

const OC_HEADER = "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE";

/** One publication (the latest release) re-issuing every month of the period, as NHS England's releases do. */
async function writeOcMonthly(
  dir: string,
  scale: BenchScale,
  orgs: Organisations,
  sizes: Map<string, Map<string, number>>,
  sums: Map<string, MonthSums>,
  tmp: string,
): Promise<{ file: string; rows: number }> {
  const name = `Submissions via OC Systems in General Practice - ${monthLabel(scale.months.at(-1)!)}`;
  const north = new CsvWriter(join(tmp, "oc-north.csv"), "\r\n");
  const south = new CsvWriter(join(tmp, "oc-south.csv"), "\r\n");
  for (const h of [north, south]) await h.line(OC_HEADER, false);
  for (const month of scale.months) {
    const shown = `01/${month.slice(5, 7)}/${month.slice(0, 4)}`;
    for (const p of orgs.practices) {
      const { sub } = p.pcn;
      const { icb } = sub;
      const gap = p.gapMonth === month;
      const s = sums.get(`${p.code}|${month}`)!;
      const list = sizes.get(month)!.get(p.code)!;
      const random = createRandom(hash32(`${scale.seed}:oc-patients:${p.code}:${month}`));
      const patients = Math.round(list * (1 + random.normal(0.012, 0.004))) + 1;
      const head = csv([shown, p.code, p.name, p.pcn.code, p.pcn.name, sub.code, sub.name, icb.code, icb.name, icb.region.code, icb.region.name, ocSupplierName(p.supplier)]);
      const v = (n: number) => (gap ? "" : String(n));
      const metrics: [string, string][] = [
        ["OC_CAPABILITY", "1"],
        ["OC_PARTICIPATION", gap ? "0" : "1"],
        ["OC_SYSTEM_USAGE", !gap && s.total > 0 ? "1" : "0"],
        ["OC_TOTAL_SUBMISSIONS", v(s.total)],
        ["OC_SUBMISSION_TYPE_CLINICAL", v(s.clinical)],
        ["OC_SUBMISSION_TYPE_ADMIN", v(s.admin)],
        ["OC_SUBMISSION_TYPE_OTHER", v(s.other)],
        ["PATIENTS_REGISTERED", String(patients)],
        ["OC_RATE_PER_1000_REGISTERED_PATIENTS", gap ? "" : ((1000 * s.total) / patients).toFixed(1)],
      ];
      const out = icb.region.half === "north" ? north : south;
      for (const [metric, value] of metrics) await out.line(`${head},${metric},${value}`);
    }
  }
  await north.close();
  await south.close();
  const file = `${name}.zip`;
  await zipMembers(join(dir, file), [
    { file: north.path, name: `${name}_north_regions.csv` },
    { file: south.path, name: `${name}_south_regions.csv` },
  ]);
  return { file, rows: north.rows + south.rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Appointments (practice-level crosstab + Mapping.csv)

const GPAD_HEADER =
  "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS";
const MAPPING_HEADER = "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME";

const HCP: [string, number][] = [["GP", 0.55], ["Other Practice staff", 0.43], ["Unknown", 0.02]];
const MODES: [string, number][] = [["Face-to-Face", 0.65], ["Telephone", 0.28], ["Home Visit", 0.01], ["video", 0.03], ["Unknown", 0.03]];
const CATEGORIES: [string, number][] = [
  ["General Consultation Routine", 0.22], ["General Consultation Acute", 0.18], ["Clinical Triage", 0.12], ["Planned Clinics", 0.14],
  ["Planned Clinical Procedure", 0.1], ["Unplanned Clinical Activity", 0.06], ["Home Visit", 0.01], ["Care Home Visit", 0.005],
  ["Structured Medication Review", 0.02], ["Walk-in", 0.01], ["Group Consultation and Group Education", 0.003], ["Social Prescribing Service", 0.01],
  ["Service provided by organisation external to the practice", 0.02], ["Non-contractual chargeable work", 0.005],
  ["Patient contact during Care Home Round", 0.004], ["Care Home Needs Assessment & Personalised Care and Support Planning", 0.004],
  ["Inconsistent Mapping", 0.05], ["Unmapped", 0.02],
];
const LEADS: [string, number][] = [
  ["Same Day", 0.45], ["1 Day", 0.08], ["2 to 7 Days", 0.18], ["8  to 14 Days", 0.12], ["15  to 21 Days", 0.07], ["22  to 28 Days", 0.05],
  ["More than 28 Days", 0.04], ["Unknown / Data Quality", 0.01],
];
const STATUSES: [string, number][] = [["Attended", 0.91], ["DNA", 0.04], ["Unknown", 0.05]];

interface Cell {
  key: [string, string, string, string, string];
  weight: number;
  /** Chance that a practice-month has the row. */
  chance: number;
}

/** The combinations a practice-month is spread over: the most common always, a tail now and then. */
function crosstabCells(scale: BenchScale): Cell[] {
  const random = createRandom(hash32(`${scale.seed}:cells`));
  const weighted = (list: [string, number][]) => {
    let x = random.next() * list.reduce((a, [, w]) => a + w, 0);
    for (const [label, w] of list) if ((x -= w) <= 0) return [label, w] as const;
    return list.at(-1)!;
  };
  const seen = new Set<string>();
  const cells: Cell[] = [];
  const wanted = Math.round(scale.crosstabCells * 1.3);
  for (let guard = 0; cells.length < wanted && guard < 100_000; guard++) {
    const parts = [weighted(HCP), weighted(MODES), weighted(CATEGORIES), weighted(LEADS), weighted(STATUSES)];
    const key = parts.map((x) => x[0]) as Cell["key"];
    const id = key.join("|");
    if (seen.has(id)) continue;
    seen.add(id);
    cells.push({ key, weight: parts.reduce((a, x) => a * x[1], 1) * Math.exp(random.normal(0, 0.5)), chance: 1 });
  }
  cells.sort((a, b) => b.weight - a.weight);
  // The first 70% of the target always; the rest (60% of the target) half the time: about the target in all.
  const always = Math.round(scale.crosstabCells * 0.7);
  cells.forEach((c, i) => (c.chance = i < always ? 1 : 0.5));
  return cells;
}

/** Splits a whole number over weights, the parts adding up to it exactly (largest remainders). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}

async function writeAppointments(
  dir: string,
  scale: BenchScale,
  orgs: Organisations,
  calendar: CoreHoursCalendar,
  sizes: Map<string, Map<string, number>>,
  tmp: string,
): Promise<{ files: string[]; rows: number }> {
  const cells = crosstabCells(scale);
  const files: string[] = [];
  let rows = 0;
  for (const month of scale.months) {
    const [y, m] = month.split("-");
    const label = `${MONTH_ABBR[Number(m) - 1]}_${y!.slice(2)}`;
    const shown = `01${MONTH_ABBR[Number(m) - 1]!.toUpperCase()}${y}`;
    const video = month < "2026-04-01" ? "Video Conference/Online" : "Video/Online";
    const workingDays = calendar.coreDays(month, lastDayOf(month)).length;
    const crosstab = new CsvWriter(join(tmp, "crosstab.csv"), "\r\n");
    const mapping = new CsvWriter(join(tmp, "Mapping.csv"), "\r\n");
    await crosstab.line(GPAD_HEADER, false);
    await mapping.line(MAPPING_HEADER, false);
    for (const p of orgs.practices) {
      const { sub } = p.pcn;
      const { icb } = sub;
      await mapping.line(csv([p.code, p.name, p.system, p.pcn.code, p.pcn.name, sub.code, sub.name, icb.code, icb.name, icb.region.code, icb.region.name]));
      const random = createRandom(hash32(`${scale.seed}:appointments:${p.code}:${month}`));
      const rate = p.behaviour === "daily-cap" ? 320 : 550;
      const total = Math.round(((sizes.get(month)!.get(p.code)! * rate) / 1000) * (workingDays / 21) * Math.exp(random.normal(0, 0.05)));
      const weights = cells.map((c) => (random.chance(c.chance) ? c.weight * Math.exp(random.normal(0, 0.15)) : 0));
      const counts = apportion(total, weights);
      const head = csv([shown, p.code, p.name, p.system, p.pcn.code, p.pcn.name, sub.code, sub.name]);
      for (let i = 0; i < cells.length; i++) {
        if (counts[i]! <= 0) continue;
        const [hcp, mode, category, lead, status] = cells[i]!.key;
        await crosstab.line(`${head},${csv([hcp, mode === "video" ? video : mode, category, lead, counts[i]!, status])}`);
      }
    }
    await crosstab.close();
    await mapping.close();
    rows += crosstab.rows;
    const file = `Practice_Level_Crosstab_${label}.zip`;
    await zipMembers(join(dir, file), [
      { file: crosstab.path, name: `Practice_Level_Crosstab_${label}.csv` },
      { file: mapping.path, name: "Mapping.csv" },
    ]);
    files.push(file);
  }
  return { files, rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Workforce (GPWPracticeCSV.MMYYYY.zip, the high-level member)

const ROLES: { group: string; role: string; share: number; perHead: number }[] = [
  { group: "GP", role: "Partner/Provider", share: 0.55, perHead: 0.78 },
  { group: "GP", role: "Salaried/Other GPs", share: 0.3, perHead: 0.62 },
  { group: "GP", role: "GP in Training Grade ST3", share: 0.1, perHead: 0.9 },
  { group: "GP", role: "Locum", share: 0.05, perHead: 0.35 },
  { group: "Nurses", role: "Practice Nurse", share: 0.75, perHead: 0.7 },
  { group: "Nurses", role: "Advanced Nurse Practitioner", share: 0.25, perHead: 0.85 },
  { group: "Direct Patient Care", role: "Healthcare Assistant", share: 0.55, perHead: 0.75 },
  { group: "Direct Patient Care", role: "Pharmacist", share: 0.45, perHead: 0.8 },
  { group: "Admin/Non-Clinical", role: "Receptionists", share: 0.7, perHead: 0.65 },
  { group: "Admin/Non-Clinical", role: "Practice Manager", share: 0.3, perHead: 1 },
];
const GROUP_RATES: Record<string, number> = { GP: 5.8, Nurses: 2.7, "Direct Patient Care": 3.4, "Admin/Non-Clinical": 11 };

async function writeWorkforce(dir: string, scale: BenchScale, orgs: Organisations, sizes: Map<string, Map<string, number>>, tmp: string): Promise<{ files: string[]; rows: number }> {
  const files: string[] = [];
  let rows = 0;
  for (const month of scale.months) {
    const label = monthLabel(month);
    const high = new CsvWriter(join(tmp, "high.csv"), "\r\n", "\uFEFF");
    const detailed = new CsvWriter(join(tmp, "detailed.csv"), "\r\n", "\uFEFF");
    await high.line("PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE", false);
    await detailed.line("PRAC_CODE,PRAC_NAME,PCN_CODE,PCN_NAME,SUB_ICB_CODE,SUB_ICB_NAME,ICB_CODE,ICB_NAME,TOTAL_PATIENTS,TOTAL_GP_FTE,TOTAL_NURSES_FTE,TOTAL_DPC_FTE,TOTAL_ADMIN_FTE", false);
    for (const p of orgs.practices) {
      const list = sizes.get(month)!.get(p.code)!;
      const level = createRandom(hash32(`${scale.seed}:workforce-level:${p.code}`));
      const thin = p.behaviour === "daily-cap" ? 0.7 : 1;
      const training = level.chance(0.4);
      const random = createRandom(hash32(`${scale.seed}:workforce:${p.code}:${month}`));
      const totals: string[] = [];
      for (const group of Object.keys(GROUP_RATES)) {
        const groupFte = (GROUP_RATES[group]! * thin * Math.exp(level.normal(0, 0.12)) * list) / 10000;
        const roles = ROLES.filter((r) => r.group === group);
        const present = roles.filter((r) => training || r.role !== "GP in Training Grade ST3");
        const shareSum = present.reduce((a, r) => a + r.share, 0);
        let fteSum = 0;
        let heads = 0;
        for (const r of roles) {
          if (!present.includes(r)) {
            await high.line(csv([p.code, p.name, group, r.role, "FTE", "NA"]));
            await high.line(csv([p.code, p.name, group, r.role, "Headcount", "NA"]));
            continue;
          }
          const fte = Math.round(Math.max(0.1, ((groupFte * r.share) / shareSum) * Math.exp(random.normal(0, 0.03))) * 100) / 100;
          const headcount = Math.max(1, Math.round(fte / r.perHead));
          fteSum += fte;
          heads += headcount;
          await high.line(csv([p.code, p.name, group, r.role, "FTE", fte.toFixed(2)]));
          await high.line(csv([p.code, p.name, group, r.role, "Headcount", headcount]));
        }
        await high.line(csv([p.code, p.name, group, "Total", "FTE", fteSum.toFixed(2)]));
        await high.line(csv([p.code, p.name, group, "Total", "Headcount", heads]));
        totals.push(fteSum.toFixed(2));
      }
      const { sub } = p.pcn;
      await detailed.line(csv([p.code, p.name, p.pcn.code, p.pcn.name, sub.code, sub.name, sub.icb.code, sub.icb.name, list, ...totals]));
    }
    await high.close();
    await detailed.close();
    rows += high.rows;
    const file = `GPWPracticeCSV.${month.slice(5, 7)}${month.slice(0, 4)}.zip`;
    await zipMembers(join(dir, file), [
      { file: detailed.path, name: `1 General Practice \u2013 ${label} Practice Level - Detailed.csv` },
      { file: high.path, name: `3 General Practice \u2013 ${label} Practice Level - High level.csv` },
    ]);
    files.push(file);
  }
  return { files, rows };
}

// ---------------------------------------------------------------------------------------------------------------
// The dataset

const GENERATOR_SOURCES = ["bench/generate.ts", "db/seed/random.ts", "app/domain/calendar.ts"];
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Hash of what decides the dataset's bytes: the scale and the generator's source. */
export function inputsHash(scale: BenchScale): string {
  const hash = createHash("sha256").update(JSON.stringify(scale));
  for (const file of GENERATOR_SOURCES) hash.update("\0").update(readFileSync(join(ROOT, file)));
  return hash.digest("hex");
}

export function readManifest(dir: string): Manifest | null {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch {
    return null;
  }
}

/** True when `dir` holds a complete dataset made from the same inputs. */
export function datasetIsCurrent(dir: string, scale: BenchScale): boolean {
  const manifest = readManifest(dir);
  if (!manifest || manifest.inputsHash !== inputsHash(scale)) return false;
  const files = [...manifest.steps.flatMap((s) => s.files), manifest.newDay.file];
  return files.every((f) => existsSync(join(dir, f)));
}

/** Every file of a dataset directory (the manifest excluded), relative, sorted. */
export function datasetFiles(manifest: Manifest): string[] {
  return [...new Set([...manifest.steps.flatMap((s) => s.files), manifest.newDay.file])].sort();
}

/** SHA-256 over every file's name and bytes, in name order. */
export async function datasetHash(dir: string, manifest: Manifest): Promise<string> {
  const hash = createHash("sha256");
  for (const file of datasetFiles(manifest)) {
    hash.update(file).update("\0");
    for await (const chunk of createReadStream(join(dir, file))) hash.update(chunk as Buffer);
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * Writes the dataset of a scale into `dir` (emptied first) and its manifest last, so an interrupted run leaves no
 * manifest and is generated again next time.
 */
export async function generateDataset(scale: BenchScale, dir: string, log: (m: string) => void = () => {}): Promise<Manifest> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, ".tmp");
  mkdirSync(tmp, { recursive: true });
  const began = performance.now();
  const lap = (what: string, t0: number) => log(`  ${what} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const calendar = new CoreHoursCalendar();
  const orgs = organisations(scale);
  const outages = new Map(SUPPLIERS.map((s) => [s, outageDate(scale, s)] as const));
  const sizes = listSizes(scale, orgs);
  const rows: Record<string, number> = {};
  const steps: ImportStep[] = [];

  let t = performance.now();
  rows.epraccur = await writeEpraccur(dir, scale, orgs);
  steps.push({ importer: "epraccur", files: ["epraccur.csv"], args: [] });
  rows["practice-map"] = await writePracticeMap(dir, scale, orgs);
  steps.push({ importer: "practice-map", files: ["gp-reg-pat-prac-map.csv"], args: [] });
  const lists = await writeListSizes(dir, scale, orgs, sizes);
  rows["list-sizes"] = lists.rows;
  steps.push({ importer: "list-sizes", files: lists.files, args: [] });
  lap(`reference files (${orgs.practices.length} practices)`, t);

  t = performance.now();
  const availability = await writeAvailability(dir, scale, orgs, calendar, outages);
  rows.availability = availability.rows;
  steps.push(...availability.steps);
  const newDayDate = newDayOf(scale, calendar);
  const newDay = await writeNewDay(dir, scale, orgs, newDayDate);
  lap(`availability logs (${availability.rows} rows)`, t);

  t = performance.now();
  const submissions = await writeSubmissions(dir, scale, orgs, calendar, outages, sizes, tmp);
  rows["oc-by-day-time"] = submissions.rows;
  steps.push({ importer: "oc-by-day-time", files: submissions.files, args: [] });
  lap(`submissions by day and time (${submissions.rows} rows)`, t);

  t = performance.now();
  const oc = await writeOcMonthly(dir, scale, orgs, sizes, submissions.sums, tmp);
  rows["oc-submissions"] = oc.rows;
  steps.push({ importer: "oc-submissions", files: [oc.file], args: [] });
  lap(`monthly OC submissions (${oc.rows} rows)`, t);

  t = performance.now();
  const appointments = await writeAppointments(dir, scale, orgs, calendar, sizes, tmp);
  rows["gpad-practice"] = appointments.rows;
  steps.push({ importer: "gpad-practice", files: appointments.files, args: [] });
  lap(`appointments crosstabs (${appointments.rows} rows)`, t);

  t = performance.now();
  const workforce = await writeWorkforce(dir, scale, orgs, sizes, tmp);
  rows.workforce = workforce.rows;
  steps.push({ importer: "workforce", files: workforce.files, args: [] });
  lap(`workforce (${workforce.rows} rows)`, t);
  rmSync(tmp, { recursive: true, force: true });

  // Order the steps as they must be imported: organisations first, then list sizes, then everything else.
  const order = ["epraccur", "practice-map", "list-sizes", "availability", "oc-by-day-time", "oc-submissions", "gpad-practice", "workforce"];
  steps.sort((a, b) => order.indexOf(a.importer) - order.indexOf(b.importer));

  const largest = orgs.icbs[0]!;
  const inLargest = orgs.practices.filter((p) => p.pcn.sub.icb === largest);
  const sample = inLargest.find((p) => p.behaviour === "lunchtime") ?? inLargest.find((p) => p.behaviour !== "gaps") ?? inLargest[0]!;
  const manifest: Manifest = {
    version: 1,
    scale,
    inputsHash: inputsHash(scale),
    practices: orgs.practices.length,
    icbs: orgs.icbs.map((icb) => ({ code: icb.code, practices: orgs.practices.filter((p) => p.pcn.sub.icb === icb).length })),
    largestIcb: largest.code,
    samplePractice: sample.code,
    months: scale.months,
    hourlyMonths: scale.months.slice(scale.months.length - scale.hourlyMonths),
    steps,
    newDay: { date: newDayDate, file: newDay.file },
    rows,
    bytes: 0,
  };
  manifest.bytes = datasetFiles(manifest).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  log(`  dataset written in ${((performance.now() - began) / 1000).toFixed(1)} s: ${(manifest.bytes / 1e6).toFixed(1)} MB in ${datasetFiles(manifest).length} files (${relative(ROOT, dir)})`);
  return manifest;
}
