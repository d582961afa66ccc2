import { describe, expect, it } from "vitest";
import { computeMeasure, decileLines, MEASURES, measureById, rankWithin } from "~/domain/measures";

const def = (id: string) => measureById(id)!;

describe("measure definitions", () => {
  it("defines every measure the service needs, once", () => {
    expect(MEASURES.map((m) => m.id)).toEqual([
      "oc_per_1000",
      "oc_admin_share",
      "appointments_per_1000",
      "oc_per_appointment",
      "oc_per_gp_fte",
      "oc_per_clinical_fte",
      "clinical_fte_per_10000",
      "same_day_share",
      "oc_morning_share",
      "calls_per_1000",
      "abandoned_call_share",
    ]);
  });

  it("uses the publication's own denominator, and the list size only where it gives none", () => {
    expect(computeMeasure(def("oc_per_1000"), { oc_total: 134, oc_patients_registered: 6920, list_size: 6807 })).toMatchObject({
      numerator: 134,
      denominator: 6920,
      denominatorSource: "oc_patients_registered",
      suppressed: false,
    });
    expect(computeMeasure(def("oc_per_1000"), { oc_total: 134, oc_patients_registered: 6920 }).value).toBeCloseTo(19.364, 3);
    expect(computeMeasure(def("oc_per_1000"), { oc_total: 134, oc_patients_registered: null, list_size: 6807 })).toMatchObject({
      denominator: 6807,
      denominatorSource: "list_size",
    });
  });

  it("treats missing as missing: no value, never zero", () => {
    expect(computeMeasure(def("oc_per_gp_fte"), { oc_total: 500, gp_fte: null })).toMatchObject({ value: null, suppressed: true });
    expect(computeMeasure(def("oc_per_appointment"), { oc_total: 500, appointments_total: 0 })).toMatchObject({ value: null });
  });

  it("marks values with a denominator too small to rank fairly", () => {
    const m = computeMeasure(def("oc_admin_share"), { oc_admin: 10, oc_total: 20 });
    expect(m.value).toBe(50);
    expect(m.suppressed).toBe(true);
    expect(computeMeasure(def("oc_admin_share"), { oc_admin: 36, oc_total: 134 }).suppressed).toBe(false);
  });
});

describe("ranks and deciles", () => {
  it("puts the lowest value in decile 1 and the highest in decile 10 for ten practices", () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ key: `P${i}`, value: i * 1.5, suppressed: false }));
    const ranks = rankWithin(entries);
    expect(entries.map((e) => ranks.get(e.key)!.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ranks.get("P9")!.rank).toBe(1);
    expect(ranks.get("P0")!.rank).toBe(10);
  });

  it("gives ties the same decile and rank, and leaves suppressed values out", () => {
    const ranks = rankWithin([
      { key: "a", value: 5, suppressed: false },
      { key: "b", value: 5, suppressed: false },
      { key: "c", value: 1, suppressed: false },
      { key: "d", value: 9, suppressed: false },
      { key: "e", value: 100, suppressed: true },
      { key: "f", value: null, suppressed: true },
    ]);
    expect(ranks.get("a")).toEqual({ rank: 2, decile: 3, of: 4 });
    expect(ranks.get("b")).toEqual({ rank: 2, decile: 3, of: 4 });
    expect(ranks.get("c")).toEqual({ rank: 4, decile: 1, of: 4 });
    expect(ranks.get("d")).toEqual({ rank: 1, decile: 8, of: 4 });
    expect(ranks.has("e")).toBe(false);
    expect(ranks.has("f")).toBe(false);
  });

  it("draws decile lines at the 10th to 90th percentiles", () => {
    expect(decileLines([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(decileLines([])).toEqual([]);
  });
});
