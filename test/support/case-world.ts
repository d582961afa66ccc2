import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import yauzl from "yauzl";
import { localMinute } from "~/domain/calendar";
import { approvePause, requestPause } from "~/services/pauses.server";
import type { Database } from "../../db/schema";
import { availabilityImporter } from "../../importers/availability";
import { importFile } from "../../importers/core/run";

/**
 * Crafted availability for cases and notices: practice DEM001 from Monday 19 October to Friday 6 November 2026, across
 * the end of British Summer Time (Sunday 25 October), imported through the real importer, with one approved pause.
 *
 * | day            | closed (core hours, London)                          | closed min | excepted |
 * |----------------|------------------------------------------------------|-----------:|---------:|
 * | Mon 19 Oct     | 09:00–10:30 all, "Capacity reached"                  | 90         |          |
 * | Wed 21 Oct     | 14:00–15:00 BST clinical only, "Daily cap"           | 60         |          |
 * | Fri 23 Oct     | 17:00Z–18:00Z = 18:00–19:00 BST → 18:00–18:30       | 30         |          |
 * | Mon 26 Oct     | 07:30Z–08:45Z = 07:30–08:45 GMT → 08:00–08:45       | 45         |          |
 * | Wed 28 Oct     | 12:00–14:00 "Staff training"; pause 12:30–13:30     | 60         | 60       |
 * | Tue 3 Nov      | 17:00–19:00 → 17:00–18:30, "Capacity reached"       | 90         |          |
 * | Wed 4–Fri 6 Nov| nothing sent: no data                                |            |          |
 *
 * Had the offsets been read wrongly, Friday 23 would have 60 closed minutes and Monday 26 would have 75.
 */
export const CASE_PERIOD = { from: "2026-10-19", to: "2026-11-06" } as const;

export const CRAFTED_LOG = `practice_code,start,end,status,category,reason,source
DEM001,2026-10-19 07:30,2026-10-24 00:00,open,all,,acme
DEM001,2026-10-19 09:00,2026-10-19 10:30,closed,all,Capacity reached,acme
DEM001,2026-10-21T14:00:00+01:00,2026-10-21T15:00:00+01:00,closed,clinical,Daily cap,acme
DEM001,2026-10-23T17:00:00Z,2026-10-23T18:00:00Z,closed,all,,acme
DEM001,2026-10-26 07:00,2026-10-31 00:00,open,all,,acme
DEM001,2026-10-26T07:30:00Z,2026-10-26T08:45:00Z,closed,all,IT failure,acme
DEM001,2026-10-28 12:00,2026-10-28 14:00,closed,all,Staff training,acme
DEM001,2026-11-02 07:00,2026-11-04 00:00,open,all,,acme
DEM001,2026-11-03 17:00,2026-11-03 19:00,closed,all,Capacity reached,acme
`;

/** What the compliance engine gives for the crafted log over CASE_PERIOD, with the pause approved. */
export const EXPECTED = {
  coreDays: 15,
  daysWithData: 12,
  closed: 375,
  excepted: 60,
  unknown: 3 * 630,
  closedByDay: { "2026-10-19": 90, "2026-10-21": 60, "2026-10-23": 30, "2026-10-26": 45, "2026-10-28": 60, "2026-11-03": 90 } as Record<string, number>,
};

/** Imports the crafted log (and, unless told not to, requests and approves the pause). Returns the pause id. */
export async function seedCraftedAvailability(db: Kysely<Database>, options: { approvePause?: boolean } = {}): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "icb-cases-"));
  try {
    const file = join(dir, "acme-crafted.csv");
    writeFileSync(file, CRAFTED_LOG);
    const result = await importFile(db, availabilityImporter, file, { actor: "test" });
    if (result.status !== "imported") throw new Error("crafted availability was not imported");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const by = { userId: null, actor: "test", ip: null };
  const pauseId = await requestPause(
    db,
    {
      practiceCode: "DEM001",
      category: "all",
      start: localMinute("2026-10-28", 12 * 60 + 30),
      end: localMinute("2026-10-28", 13 * 60 + 30),
      reason: "Staff training agreed with the ICB",
      kind: "planned",
    },
    by,
  );
  if (options.approvePause !== false) await approvePause(db, pauseId, null, by);
  return pauseId;
}

export async function approveCraftedPause(db: Kysely<Database>, pauseId: number): Promise<void> {
  await approvePause(db, pauseId, null, { userId: null, actor: "test", ip: null });
}

/** The text of a .docx: each paragraph of `word/document.xml` (table cells included) as a line. */
export function docxText(bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error("not a zip"));
      let found = false;
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName !== "word/document.xml") return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error("no stream"));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            const xml = Buffer.concat(chunks).toString("utf8");
            const paragraphs = xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? [];
            const lines = paragraphs.map((p) => [...p.matchAll(/<w:t(?: [^>]*)?>([\s\S]*?)<\/w:t>/g)].map((m) => decodeXml(m[1]!)).join(""));
            zip.close();
            resolve(lines.filter((l) => l.length > 0).join("\n"));
          });
        });
      });
      zip.on("end", () => {
        if (!found) reject(new Error("word/document.xml not found"));
      });
      zip.readEntry();
    });
  });
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, "&");
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `29 December 2026` → `2026-12-29`. */
export function isoFromLong(text: string): string {
  const m = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/.exec(text.trim());
  if (!m) throw new Error(`not a long date: ${text}`);
  const month = MONTHS.indexOf(m[2]!) + 1;
  if (month === 0) throw new Error(`not a month: ${m[2]}`);
  return `${m[3]}-${String(month).padStart(2, "0")}-${m[1]!.padStart(2, "0")}`;
}
