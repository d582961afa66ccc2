import { describe, expect, it } from "vitest";
import { classify, type ClassificationInput } from "~/domain/classification";
import { closureReasonKeys, reasonKeys, SUPPORT_ACTIONS, suggestSupportActions, supportActionById } from "~/domain/support-actions";

describe("the support-action library", () => {
  it("holds the actions the issue names, each with an owner and what suggests it", () => {
    const ids = SUPPORT_ACTIONS.map((a) => a.id);
    for (const id of [
      "oc_configuration_review",
      "care_navigation_training",
      "demand_capacity_review",
      "pcn_hub_capacity",
      "workforce_funding_arrs",
      "supplier_escalation",
      "triage_model_review",
      "patient_communication",
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of SUPPORT_ACTIONS) {
      expect(a.owner.length).toBeGreaterThan(3);
      expect(a.classifications.length + a.reasons.length).toBeGreaterThan(0);
    }
    expect(supportActionById("workforce_funding_arrs")?.title).toMatch(/ARRS/);
    expect(supportActionById("nope")).toBeUndefined();
  });
});

const pressured: ClassificationInput = {
  coreMinutes: 630 * 15,
  closedMinutes: 900,
  unknownMinutes: 0,
  flaggedDays: 6,
  flagged: true,
  demandPerAppointment: { value: 0.9, decile: 10 },
  submissionsPer1000: { value: 120, decile: 4 },
  clinicalFtePer10000: { value: 3.1, decile: 1 },
  missedCallShare: null,
  surges: [],
  peerGroup: "the ICB's practices",
};

describe("suggestions", () => {
  it("reads the signs of pressure from a classification and the closures' own reasons", () => {
    const result = classify(pressured);
    expect(result.classification).toBe("capacity_pressure");
    expect(reasonKeys(result, [["Capacity reached"], [], ["Supplier outage"]])).toEqual([
      "high_demand_per_appointment",
      "low_clinical_workforce",
      "closure_capacity",
      "closure_technical",
      "closure_unexplained",
    ]);
    expect(closureReasonKeys([["Staff sickness"], ["IT failure"]])).toEqual(["closure_technical", "closure_staffing"]);
    expect(closureReasonKeys([["Lunch"]])).toEqual([]);
  });

  it("ranks actions by matching reasons, then by classification, and says why", () => {
    const s = suggestSupportActions("capacity_pressure", ["low_clinical_workforce", "closure_capacity"]);
    // pcn_hub_capacity and demand_capacity_review match both reasons (2 × 2 + 1 = 5) and come first, in library order.
    expect(s.slice(0, 2).map((x) => [x.action.id, x.score])).toEqual([
      ["demand_capacity_review", 5],
      ["pcn_hub_capacity", 5],
    ]);
    expect(s.find((x) => x.action.id === "workforce_funding_arrs")?.because).toEqual([
      "Low clinical workforce for the list size",
      "Suggested where closures come with capacity pressure",
    ]);
    expect(s.map((x) => x.action.id)).not.toContain("availability_data_check");
    for (let i = 1; i < s.length; i++) expect(s[i - 1]!.score).toBeGreaterThanOrEqual(s[i]!.score);
  });

  it("suggests the supplier for technical closures and a data check when there is not enough data", () => {
    expect(suggestSupportActions(null, ["closure_technical"]).map((x) => x.action.id)).toEqual([
      "oc_configuration_review",
      "supplier_escalation",
      "pause_procedure",
    ]);
    const noData = classify({ ...pressured, unknownMinutes: 630 * 10 });
    expect(noData.classification).toBe("not_enough_data");
    expect(suggestSupportActions(noData.classification, reasonKeys(noData))[0]!.action.id).toBe("availability_data_check");
    expect(suggestSupportActions("compliant", [])).toEqual([]);
  });
});
