import { describe, expect, it } from "vitest";
import {
  canActForIcb,
  canActForPractice,
  checkLapse,
  checkMove,
  checkNoticeAction,
  checkNoticeDraft,
  checkRemedyDays,
  nextStages,
  remedyPeriod,
  stageAfterIssue,
  type CaseFacts,
} from "~/domain/cases";
import { daysBetween } from "~/domain/calendar";

const facts = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  stage: "support_offered",
  informalContactRecorded: true,
  supportOffered: true,
  patientSafetyReason: null,
  issuedNotices: 0,
  lmcConsultationRecorded: false,
  ...over,
});

describe("the remedy period of a remedial notice", () => {
  it("refuses 27 days without a recorded reason", () => {
    const r = remedyPeriod("2026-12-01", 27);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/at least 28 days from the date of issue/);
    expect(checkRemedyDays(27)).toMatch(/at least 28 days/);
    // A reason without an explanation is not a recorded reason.
    expect(remedyPeriod("2026-12-01", 27, { reason: "patient_safety", explanation: "  " }).ok).toBe(false);
  });

  it("accepts 27 days with a recorded patient-safety or material-financial-loss reason", () => {
    expect(remedyPeriod("2026-12-01", 27, { reason: "patient_safety", explanation: "Urgent requests are being lost" })).toEqual({ ok: true, remedyBy: "2026-12-28" });
    expect(remedyPeriod("2026-12-01", 7, { reason: "material_financial_loss", explanation: "Payments at risk" })).toEqual({ ok: true, remedyBy: "2026-12-08" });
    expect(checkRemedyDays(27, { reason: "patient_safety", explanation: "Urgent requests are being lost" })).toBeNull();
  });

  it("gives 2026-12-29 for 28 days from 2026-12-01", () => {
    expect(remedyPeriod("2026-12-01", 28)).toEqual({ ok: true, remedyBy: "2026-12-29" });
    expect(checkRemedyDays(28)).toBeNull();
  });

  it("counts leap days: 29 February 2028 exists, 2027 and 2100 have none", () => {
    expect(remedyPeriod("2028-02-01", 28)).toEqual({ ok: true, remedyBy: "2028-02-29" });
    expect(remedyPeriod("2028-02-15", 28)).toEqual({ ok: true, remedyBy: "2028-03-14" });
    expect(remedyPeriod("2027-02-01", 28)).toEqual({ ok: true, remedyBy: "2027-03-01" });
    expect(remedyPeriod("2100-02-01", 28)).toEqual({ ok: true, remedyBy: "2100-03-01" });
    expect(remedyPeriod("2027-12-20", 60)).toEqual({ ok: true, remedyBy: "2028-02-18" });
    for (const issue of ["2028-01-31", "2028-02-28", "2028-02-29", "2027-02-28", "2026-10-24"]) {
      const r = remedyPeriod(issue, 28);
      expect(r.ok && daysBetween(issue, r.remedyBy)).toBe(28);
    }
  });

  it("refuses a date that is not real and periods out of range", () => {
    expect(remedyPeriod("2027-02-29", 28).ok).toBe(false);
    expect(remedyPeriod("2026-12-01", 0, { reason: "patient_safety", explanation: "x" }).ok).toBe(false);
    expect(remedyPeriod("2026-12-01", 367).ok).toBe(false);
    expect(remedyPeriod("2026-12-01", 28.5).ok).toBe(false);
  });
});

describe("support first", () => {
  it("refuses a notice before an informal contact and support, naming both", () => {
    const problems = checkNoticeDraft(facts({ stage: "concern_noted", informalContactRecorded: false, supportOffered: false }), "remedial");
    expect(problems).toEqual([
      "Record an informal contact (a call or meeting) before a remedial notice, or record a patient-safety reason",
      "Offer support (a support plan) before a remedial notice, or record a patient-safety reason",
    ]);
    expect(checkNoticeDraft(facts({ supportOffered: false }), "breach")).toEqual(["Offer support (a support plan) before a breach notice, or record a patient-safety reason"]);
    const move = checkMove(facts({ stage: "informal_contact", supportOffered: false }), { to: "remedial_notice", reason: "Closures continue" });
    expect(move.ok).toBe(false);
  });

  it("allows a notice straight away with a patient-safety reason", () => {
    const f = facts({ stage: "concern_noted", informalContactRecorded: false, supportOffered: false, patientSafetyReason: "Urgent requests unanswered" });
    expect(checkNoticeDraft(f, "remedial")).toEqual([]);
    expect(checkMove(f, { to: "remedial_notice", reason: "Patient safety" })).toEqual({ ok: true });
    expect(checkMove(f, { to: "breach_notice", reason: "Patient safety" })).toEqual({ ok: true });
    // but not a sanction, which still needs an issued notice
    expect(checkMove(f, { to: "sanction_proposed", reason: "x" }).ok).toBe(false);
  });

  it("allows a notice after both steps, and refuses anything in a closed case", () => {
    expect(checkNoticeDraft(facts(), "remedial")).toEqual([]);
    expect(checkNoticeDraft(facts({ stage: "closed" }), "remedial")).toEqual(["The case is closed"]);
  });

  it("moves a case to the notice's stage on issue only when it is not there yet", () => {
    expect(stageAfterIssue("support_offered", "remedial")).toBe("remedial_notice");
    expect(stageAfterIssue("remedial_notice", "breach")).toBe("breach_notice");
    expect(stageAfterIssue("remedial_notice", "remedial")).toBeNull();
    expect(stageAfterIssue("breach_notice", "remedial")).toBeNull();
    expect(stageAfterIssue("concern_noted", "breach")).toBe("breach_notice");
  });
});

describe("termination", () => {
  const afterNotice = facts({ stage: "remedial_notice", issuedNotices: 2 });

  it("needs the LMC consultation and a statement of the cumulative effect, naming the earlier notices", () => {
    const r = checkMove(afterNotice, { to: "termination_considered", reason: "Breach repeated" });
    expect(r).toEqual({
      ok: false,
      problems: [
        "Record the consultation with the Local Medical Committee before considering termination",
        "State the cumulative effect of the case's earlier notices (2 issued)",
      ],
    });
    expect(checkMove({ ...afterNotice, lmcConsultationRecorded: true }, { to: "termination_considered", reason: "Breach repeated", cumulativeEffect: "Two notices, same breach" })).toEqual({
      ok: true,
    });
  });

  it("needs an issued notice", () => {
    const r = checkMove(facts({ stage: "remedial_notice", lmcConsultationRecorded: true }), { to: "termination_considered", reason: "x", cumulativeEffect: "x" });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toContain("A sanction or termination can only follow an issued remedial or breach notice");
  });

  it("offers termination as a next stage only when everything is recorded", () => {
    expect(nextStages(afterNotice)).not.toContain("termination_considered");
    expect(nextStages({ ...afterNotice, lmcConsultationRecorded: true })).toContain("termination_considered");
  });
});

describe("notices: who and when", () => {
  it("never lets the author approve", () => {
    expect(checkNoticeAction("draft", "approve", true)).toBe("A draft must be approved by a second commissioner, not its author");
    expect(checkNoticeAction("draft", "approve", false)).toBeNull();
    expect(checkNoticeAction("approved", "approve", false)).toBe("Only a draft can be approved");
    expect(checkNoticeAction("approved", "edit", false)).toBe("Only a draft can be edited");
    expect(checkNoticeAction("issued", "withdraw", false)).toBe("An issued notice cannot be withdrawn");
  });

  it("marks a remedial notice lapsed only after its remedy-by date", () => {
    expect(checkLapse("remedial", "2026-12-29", "2026-12-29")).toMatch(/only be marked lapsed after that date/);
    expect(checkLapse("remedial", "2026-12-29", "2026-12-30")).toBeNull();
    expect(checkLapse("breach", null, "2026-12-02")).toBeNull();
  });

  it("lets a commissioner of the practice's ICB act for the ICB, and only the practice's manager act for it", () => {
    const practice = { ods_code: "DEM001", icb_code: "DEMO1" };
    expect(canActForIcb({ role: "icb", icbCode: "DEMO1", practiceCode: null }, practice)).toBe(true);
    expect(canActForIcb({ role: "icb", icbCode: "DEMO2", practiceCode: null }, practice)).toBe(false);
    expect(canActForIcb({ role: "admin", icbCode: null, practiceCode: null }, practice)).toBe(false);
    expect(canActForIcb({ role: "practice", icbCode: null, practiceCode: "DEM001" }, practice)).toBe(false);
    expect(canActForIcb({ role: "icb", icbCode: null, practiceCode: null }, { icb_code: null })).toBe(false);
    expect(canActForPractice({ role: "practice", icbCode: null, practiceCode: "DEM001" }, practice)).toBe(true);
    expect(canActForPractice({ role: "practice", icbCode: null, practiceCode: "DEM002" }, practice)).toBe(false);
    expect(canActForPractice({ role: "icb", icbCode: "DEMO1", practiceCode: null }, practice)).toBe(false);
  });
});
