/**
 * The availability importer's fast path (ADR 14) reads London, UTC and offset times without Luxon per row. Wherever it gives
 * an answer it must be exactly `parseInstant`'s; where it is unsure (days the clocks change, odd forms) it must
 * leave the time to `parseInstant`.
 */
import { describe, expect, it } from "vitest";
import { parseInstant } from "../../app/domain/instants";
import { fastInstantMs } from "../../importers/availability";

function slow(raw: string): number | null {
  const parsed = parseInstant(raw);
  if (!parsed.ok) return null;
  return parsed.ms >= Date.UTC(2015, 0, 1) && parsed.ms < Date.UTC(2100, 0, 1) ? parsed.ms : null;
}

describe("availability times without Luxon", () => {
  it("agrees with parseInstant on every day of 2025–2027 at times across the day, in every spelling", () => {
    let fast = 0;
    for (let day = Date.UTC(2025, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      for (const time of ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "07:59", "08:00", "12:34:56", "18:30", "23:59:59"]) {
        const spellings = [`${date} ${time}`, `${date}T${time}`, `${date}T${time}Z`];
        for (const offset of ["+00:00", "+01:00", "-00:00", "-05:30", "+14:00"]) spellings.push(`${date}T${time}${offset}`);
        for (const raw of spellings) {
          const got = fastInstantMs(raw);
          if (got !== null) {
            fast++;
            expect(got, raw).toBe(slow(raw));
          }
        }
      }
    }
    expect(fast).toBeGreaterThan(80_000);
  });

  it("leaves days when the clocks change, odd forms and impossible or out-of-range times to parseInstant", () => {
    for (const raw of [
      "2026-03-29 08:00",
      "2026-10-25 01:30",
      "2026-02-30 08:00",
      "2026-04-31T08:00Z",
      "2026-03-30 24:00",
      "2026-03-30 08:60",
      " 2026-03-30 08:00",
      "2026-03-30t08:00",
      "2026-03-30T08:00:00.5Z",
      "2026-03-30 08:00+01:00",
      "2026-03-30T08:00+0100",
      "2026-03-30T08:00+01",
      "2026-03-30T08:00+15:00",
      "2026-03-30T08:00+01:60",
      "2026-02-29T08:00+01:00",
      "2015-01-01T00:30+01:00",
      "2014-12-31 23:00",
      "2100-01-01 08:00",
      "30/03/2026 09:00",
    ]) {
      expect(fastInstantMs(raw), raw).toBeNull();
    }
  });
});
