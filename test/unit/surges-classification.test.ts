import { describe, expect, it } from "vitest";
import { classify, type ClassificationInput } from "~/domain/classification";
import { cusumSurges } from "~/domain/surges";

const weeks = (values: number[]) => values.map((value, i) => ({ week: new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10), value }));

describe("CUSUM surges", () => {
  it("finds no surge in a steady series", () => {
    const r = cusumSurges(weeks([100, 104, 96, 101, 99, 103, 97, 100, 102, 98, 101, 99, 100, 103, 97]));
    expect(r.baselineMean).toBeCloseTo(100, 5);
    expect(r.surges).toEqual([]);
  });

  it("dates a sustained rise: start, signal and end", () => {
    // Baseline 100 (σ floored at √100 = 10); weeks 9–13 at 130 (+3σ each: S grows by 2.5 a week), then back to 100.
    const r = cusumSurges(weeks([100, 100, 100, 100, 100, 100, 100, 100, 130, 130, 130, 130, 130, 100, 100, 100, 100, 100, 100, 100]));
    expect(r.baselineSd).toBe(10);
    expect(r.surges).toHaveLength(1);
    const s = r.surges[0]!;
    expect(s.start).toBe("2026-03-02"); // week 9
    expect(s.signalled).toBe("2026-03-09"); // S = 5.0 > 4 in week 10
    expect(s.peak).toBeCloseTo(12.5, 5);
    expect(s.meanDuring).toBeGreaterThan(100);
  });

  it("needs a baseline before it can say anything", () => {
    expect(cusumSurges(weeks([1, 2, 3])).surges).toEqual([]);
  });
});

const base: ClassificationInput = {
  coreMinutes: 630 * 20,
  closedMinutes: 600,
  unknownMinutes: 0,
  flaggedDays: 5,
  flagged: true,
  demandPerAppointment: { value: 0.9, decile: 10 },
  submissionsPer1000: { value: 250, decile: 9 },
  clinicalFtePer10000: { value: 4, decile: 2 },
  missedCallShare: null,
  surges: [],
  peerGroup: "the ICB's practices",
};

describe("can't or won't", () => {
  it("suggests support first where closures come with pressure, listing each reason", () => {
    const r = classify(base);
    expect(r.classification).toBe("capacity_pressure");
    expect(r.pressureSignals).toBe(3);
    expect(r.reasons.map((x) => x.kind)).toEqual(["compliance", "pressure", "pressure", "pressure", "no_pressure"]);
    expect(r.reasons[1]!.text).toBe("Online submissions per appointment: 0.9, decile 10 of 10 among the ICB's practices (decile 8 or above).");
  });

  it("suggests a contract conversation where closures come without evident pressure", () => {
    const r = classify({
      ...base,
      demandPerAppointment: { value: 0.2, decile: 3 },
      submissionsPer1000: { value: 120, decile: 5 },
      clinicalFtePer10000: { value: 9, decile: 7 },
    });
    expect(r.classification).toBe("no_evident_pressure");
    expect(r.label).toBe("Closures without evident pressure");
    expect(r.action).toBe("Contract conversation");
  });

  it("calls a practice compliant when it is not flagged, whatever its pressure", () => {
    expect(classify({ ...base, flagged: false, flaggedDays: 0, closedMinutes: 20 }).classification).toBe("compliant");
  });

  it("says not enough data when availability is mostly unknown, or pressure cannot be judged", () => {
    expect(classify({ ...base, unknownMinutes: 630 * 11 }).classification).toBe("not_enough_data");
    expect(
      classify({ ...base, demandPerAppointment: null, submissionsPer1000: null, clinicalFtePer10000: null, missedCallShare: null, surges: null }).classification,
    ).toBe("not_enough_data");
  });

  it("counts a surge as a sign of pressure and follows the ICB's thresholds", () => {
    const quiet = { ...base, demandPerAppointment: { value: 0.2, decile: 3 }, submissionsPer1000: null, clinicalFtePer10000: null };
    const surge = [{ start: "2026-03-02", end: "2026-03-30" }];
    // One sign is not enough by default (two are needed); an ICB that asks for one gets "capacity pressure".
    expect(classify({ ...quiet, surges: surge }).classification).toBe("no_evident_pressure");
    expect(classify({ ...quiet, surges: surge }, { maxNoDataShare: 0.5, highDecile: 8, lowWorkforceDecile: 3, minPressureSignals: 1 }).classification).toBe(
      "capacity_pressure",
    );
    expect(classify({ ...quiet, surges: surge, submissionsPer1000: { value: 260, decile: 9 } }).classification).toBe("capacity_pressure");
    expect(classify(base, { maxNoDataShare: 0.5, highDecile: 8, lowWorkforceDecile: 3, minPressureSignals: 4 }).classification).toBe("no_evident_pressure");
  });
});
