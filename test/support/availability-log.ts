import { createWriteStream } from "node:fs";

/**
 * Writes a large, valid availability log (docs/formats/availability.md) for tests that need a long import: for each of
 * `practices` practices (ODS codes `Q00000`, `Q00001`… unless `codes` is given), `days` weekdays from Monday 5 January
 * 2026, ten one-hour intervals from 08:00 to 18:00 London time, every third one closed. Returns the number of rows.
 */
export async function writeAvailabilityLog(
  path: string,
  opts: { practices: number; days: number; source?: string; codes?: string[]; firstDay?: string },
): Promise<number> {
  const out = createWriteStream(path);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  const source = opts.source ?? "bulk-test";
  const base = Date.parse(`${opts.firstDay ?? "2026-01-05"}T00:00:00Z`);
  let rows = 0;
  await write("practice_code,start,end,status,category,reason,source\n");
  for (let p = 0; p < opts.practices; p++) {
    const code = opts.codes?.[p] ?? `Q${String(p).padStart(5, "0")}`;
    let lines = "";
    for (let d = 0, day = 0; d < opts.days; day++) {
      const t = new Date(base + day * 86_400_000);
      if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
      d++;
      const date = t.toISOString().slice(0, 10);
      for (let h = 8; h < 18; h++) {
        const closed = h % 3 === 0;
        lines += `${code},${date} ${String(h).padStart(2, "0")}:00,${date} ${String(h + 1).padStart(2, "0")}:00,${closed ? "closed" : "open"},all,${closed ? "Capacity reached" : ""},${source}\n`;
        rows++;
      }
    }
    await write(lines);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return rows;
}
