import { describe, expect, it } from "vitest";
import { parseDate } from "../../importers/core/fields";

describe("published date formats", () => {
  it("reads every month of DDMONYYYY, in any case (ICU spells September 'Sept'; NHS files do not)", () => {
    const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    months.forEach((m, i) => {
      const iso = `2026-${String(i + 1).padStart(2, "0")}-01`;
      expect(parseDate(`01${m}2026`, ["ddmonyyyy"])).toBe(iso);
      expect(parseDate(`01${m[0]}${m.slice(1).toLowerCase()}2026`, ["ddmonyyyy"])).toBe(iso);
    });
  });

  it("refuses impossible dates and unknown month names", () => {
    for (const bad of ["31FEB2026", "00JAN2026", "01SEPT2026", "01XYZ2026", "32DEC2026"]) expect(parseDate(bad, ["ddmonyyyy"])).toBeNull();
    expect(parseDate("29FEB2028", ["ddmonyyyy"])).toBe("2028-02-29");
  });

  it("reads ISO, YYYYMMDD and DD/MM/YYYY strictly", () => {
    expect(parseDate("2026-04-01", ["iso"])).toBe("2026-04-01");
    expect(parseDate("20260401", ["yyyymmdd"])).toBe("2026-04-01");
    expect(parseDate("01/04/2026", ["dd/mm/yyyy"])).toBe("2026-04-01");
    expect(parseDate("2026-13-01", ["iso"])).toBeNull();
    expect(parseDate("31/04/2026", ["dd/mm/yyyy"])).toBeNull();
  });
});
