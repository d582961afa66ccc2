import { describe, expect, it } from "vitest";
import { localMinute } from "~/domain/calendar";
import { buildEvidence } from "~/domain/case-evidence";
import {
  buildNoticeDocument,
  checkNoticeText,
  contractPhrase,
  DUTY_WORDING,
  noticePlainText,
  NoticeDocumentSchema,
  renderNoticeHtml,
  withIssue,
  withText,
  type NoticeInputs,
} from "~/domain/notice-document";
import { renderNoticeDocx } from "~/domain/notice-docx";
import { docxText } from "../support/case-world";

const day = (date: string, closed: number, excepted = 0, unknown = 0) => ({
  date,
  core_minutes: 630,
  open_minutes: 630 - closed - excepted - unknown,
  closed_minutes: closed,
  excepted_minutes: excepted,
  unknown_minutes: unknown,
});

const evidence = buildEvidence({
  practiceCode: "A81001",
  from: "2026-11-02",
  to: "2026-11-06",
  takenAt: "2026-11-20T10:00:00.000Z",
  rows: [day("2026-11-02", 120), day("2026-11-03", 0, 45), day("2026-11-04", 0), day("2026-11-05", 0, 0, 630), day("2026-11-06", 35)],
  datesWithData: new Set(["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-06"]),
  episodes: [
    {
      date: "2026-11-06",
      start_min: localMinute("2026-11-06", 17 * 60 + 55),
      end_min: localMinute("2026-11-06", 18 * 60 + 30),
      minutes: 35,
      category: "clinical",
      excepted: false,
      reasons: [],
      pauseIds: [],
    },
    {
      date: "2026-11-02",
      start_min: localMinute("2026-11-02", 9 * 60),
      end_min: localMinute("2026-11-02", 11 * 60),
      minutes: 120,
      category: "all",
      excepted: false,
      reasons: ["Capacity <reached> & closed"],
      pauseIds: [],
    },
    {
      date: "2026-11-03",
      start_min: localMinute("2026-11-03", 10 * 60),
      end_min: localMinute("2026-11-03", 10 * 60 + 45),
      minutes: 45,
      category: "all",
      excepted: true,
      reasons: ["Outage"],
      pauseIds: [7],
    },
  ],
  pauses: [
    {
      id: 7,
      category: "all",
      start_min: localMinute("2026-11-03", 9 * 60 + 30),
      end_min: localMinute("2026-11-03", 11 * 60),
      reason: "Supplier outage",
      kind: "outage",
      decided_at: "2026-11-03T12:00:00.000Z",
    },
  ],
  policy: { closedMinutesPerDay: 30, flaggedDays: 3, windowDays: 28 },
});

const inputs = (over: Partial<NoticeInputs> = {}): NoticeInputs => ({
  type: "remedial",
  reference: "Case 4",
  draftedOn: "2026-11-20",
  contractor: { odsCode: "A81001", name: "THE DENSHAM SURGERY", address: ["THE HEALTH CENTRE", "LAWSON STREET", "STOCKTON-ON-TEES", "TS18 1HU"], contractType: "PMS" },
  commissioner: { code: "QHM", name: "NHS North East and North Cumbria Integrated Care Board" },
  period: { from: "2026-11-02", to: "2026-11-06" },
  evidence,
  context: { classification: { label: "Capacity pressure", action: "Offer support first", reasons: ["Online submissions per appointment: 0.9, decile 10 of 10"] }, measures: [], missing: [] },
  support: {
    recorded: true,
    contacts: [{ date: "2026-11-10", kind: "call", attendees: "Practice manager; ICB primary care lead", notes: "Agreed to review the tool's settings." }],
    items: [
      {
        title: "Care navigation training for the reception team",
        owner: "Practice manager",
        dueDate: "2026-11-30",
        reviewDate: "2026-12-07",
        status: "in_progress",
        progress: [{ at: "2026-11-18T09:00:00.000Z", side: "practice", status: "in_progress", note: "Half the team trained" }],
      },
    ],
  },
  history: [],
  remedy: { periodDays: 28, shorter: null },
  ...over,
});

describe("the evidence snapshot", () => {
  it("totals every core day (no-data days as 630 unknown), lists only days with data, and orders episodes by time", () => {
    expect(evidence.totals).toEqual({ coreMinutes: 3150, open: 630 - 120 + 630 - 45 + 630 + 0 + 630 - 35, closed: 155, excepted: 45, unknown: 630 });
    expect(evidence.coverage).toEqual({ coreDays: 5, daysWithData: 4, minutesWithNoData: 630 });
    expect(evidence.episodes.map((e) => [e.date, e.from, e.to])).toEqual([
      ["2026-11-02", "09:00", "11:00"],
      ["2026-11-03", "10:00", "10:45"],
      ["2026-11-06", "17:55", "18:30"],
    ]);
    expect(evidence.pauses[0]).toMatchObject({ from: "2026-11-03 09:30", to: "2026-11-03 11:00" });
    expect(evidence.flaggedDates).toEqual(["2026-11-02", "2026-11-06"]);
    expect(evidence.flagged).toBe(false);
  });
});

describe("a remedial notice", () => {
  const doc = buildNoticeDocument(inputs());
  const text = noticePlainText(doc);

  it("is valid JSON of the document schema, a draft with the evidence kept in it", () => {
    expect(NoticeDocumentSchema.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
    expect(doc.issued).toBe(false);
    expect(doc.evidence.totals.closed).toBe(155);
  });

  it("names the contractor, its address and contract type, and quotes the duty and core hours", () => {
    expect(text).toContain("To (the contractor): THE DENSHAM SURGERY (practice code A81001)");
    expect(text).toContain("Address: THE HEALTH CENTRE, LAWSON STREET, STOCKTON-ON-TEES, TS18 1HU");
    expect(text).toContain("Contract type: PMS");
    expect(text).toContain(`“${DUTY_WORDING}”.`);
    expect(DUTY_WORDING).toBe(
      "must take steps to ensure that all of the following means of contacting the practice are available for patients throughout core hours: (a) attending the practice's premises; (b) telephone; (c) the practice's online consultation tool",
    );
    expect(text).toContain("Core hours are 08:00 to 18:30, Monday to Friday, except Good Friday, Christmas Day and bank holidays.");
  });

  it("tabulates each affected day and the total, each closure with its London times, pauses and coverage", () => {
    expect(text).toContain("Monday 2 November 2026 | 120 | 0");
    expect(text).toContain("Friday 6 November 2026 | 35 | 0");
    expect(text).toContain("Total | 155 | 0");
    expect(text).toContain("Total closed minutes in core hours: 155.");
    expect(text).toContain("Monday 2 November 2026 | 09:00 | 11:00 | 120 | All requests | Capacity <reached> & closed | Closed");
    expect(text).toContain("Tuesday 3 November 2026 | 10:00 | 10:45 | 45 | All requests | Outage | Excepted (approved pause #7)");
    expect(text).toContain("Friday 6 November 2026 | 17:55 | 18:30 | 35 | Clinical requests | none given | Closed");
    expect(text).toContain("#7 | 3 November 2026, 09:30 | 3 November 2026, 11:00 | All requests | Outage | Supplier outage");
    expect(text).toContain("Core days in the period: 5");
    expect(text).toContain("Core days with availability data: 4");
    expect(text).toContain("Core minutes with no data: 630 (not counted as closed)");
  });

  it("sets out the context, the support offered, the steps, the period and the right to dispute", () => {
    expect(text).toContain("Our reading of the practice's demand and capacity: Capacity pressure (offer support first).");
    expect(text).toContain("- 10 November 2026: call with Practice manager; ICB primary care lead. Agreed to review the tool's settings.");
    expect(text).toContain("Care navigation training for the reception team | Practice manager | 30 November 2026 | 7 December 2026 | In progress | 18 November 2026 (practice): Half the team trained");
    expect(text).toContain("Steps required to remedy the breach");
    expect(text).toContain("You must take the steps above within 28 days from the date of issue of this notice. The date by which they must be taken is set when the notice is issued.");
    expect(text).toContain("NHS Resolution's Primary Care Appeals");
    expect(text).toContain("NHS dispute resolution procedure");
    expect(text).not.toContain("Requirement not to repeat the breach");
  });

  it("gives the remedy-by date once issued, and a recorded reason for a shorter period", () => {
    const issued = noticePlainText(withIssue(doc, "2026-12-01", "2026-12-29"));
    expect(issued).toContain("Date of issue: 1 December 2026");
    expect(issued).toContain("within 28 days from the date of issue of this notice, that is by 29 December 2026 (date of issue: 1 December 2026).");
    const shorter = buildNoticeDocument(inputs({ remedy: { periodDays: 14, shorter: { reason: "patient_safety", explanation: "Urgent requests were lost." } } }));
    expect(noticePlainText(withIssue(shorter, "2026-12-01", "2026-12-15"))).toContain(
      "This period is shorter than the 28 days the contract otherwise requires because a shorter period is needed to protect patient safety: Urgent requests were lost.",
    );
  });

  it("says 'not recorded' when the contract type is not known", () => {
    const t = noticePlainText(buildNoticeDocument(inputs({ contractor: { ...inputs().contractor, contractType: null } })));
    expect(t).toContain("Contract type: not recorded");
    expect(t).toContain("under your contract (type not recorded)");
    expect(contractPhrase("gms")).toBe("GMS contract");
    expect(contractPhrase("APMS")).toBe("APMS contract");
  });
});

describe("a breach notice", () => {
  const doc = buildNoticeDocument(
    inputs({
      type: "breach",
      remedy: null,
      history: [{ type: "remedial", status: "lapsed", issueDate: "2026-06-01", remedyBy: "2026-06-29", periodFrom: "2026-05-01", periodTo: "2026-05-29" }],
    }),
  );
  const text = noticePlainText(doc);

  it("requires the breach not to be repeated, gives the history, and has no remedy period", () => {
    expect(doc.remedy).toBeNull();
    expect(doc.title).toBe("Breach notice");
    expect(text).toContain("Requirement not to repeat the breach");
    expect(text).toContain("THE DENSHAM SURGERY must not repeat the breach described in this notice");
    expect(text).toContain("Remedial notice | 1 June 2026 | 1 May 2026 to 29 May 2026 | 29 June 2026 | Lapsed (not remedied)");
    expect(text).toContain("cumulative effect of the breaches");
    expect(text).not.toContain("Steps required to remedy the breach");
  });
});

describe("the contract's terms only", () => {
  it("never says 'warning notice' in the JSON, the print page or the Word file", async () => {
    for (const type of ["remedial", "breach"] as const) {
      const doc = withIssue(buildNoticeDocument(inputs({ type, remedy: type === "remedial" ? { periodDays: 28, shorter: null } : null })), "2026-12-01", type === "remedial" ? "2026-12-29" : null);
      expect(JSON.stringify(doc)).not.toMatch(/warning\s+notice/i);
      expect(renderNoticeHtml(doc)).not.toMatch(/warning\s+notice/i);
      const docx = await docxText(await renderNoticeDocx(doc));
      expect(docx).not.toMatch(/warning\s+notice/i);
      expect(docx).toMatch(type === "remedial" ? /Remedial notice/ : /Breach notice/);
    }
  });

  it("refuses edited text that uses it, and empty required sections", () => {
    const doc = buildNoticeDocument(inputs());
    const edited = withText(doc, { covering: "This is a Warning  Notice about access." });
    expect(checkNoticeText("remedial", edited.text)).toEqual([
      `The covering text: use the contract's terms, "remedial notice" or "breach notice", not CQC's term for its own enforcement`,
    ]);
    expect(checkNoticeText("remedial", withText(doc, { stepsRequired: "  ", breachDetail: "" }).text)).toEqual([
      "Describe the breach in detail",
      "Give the steps required to remedy the breach",
    ]);
    expect(checkNoticeText("breach", withText(doc, { nonRepetition: "" }).text)).toEqual(["Give the requirement not to repeat the breach"]);
    expect(checkNoticeText("remedial", doc.text)).toEqual([]);
  });
});

describe("the print page", () => {
  it("escapes text, carries the nonce, and shows the draft mark until issued", () => {
    const doc = buildNoticeDocument(inputs());
    const html = renderNoticeHtml(doc, { nonce: "abc123" });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<style nonce="abc123">`);
    expect(html).toContain("Capacity &lt;reached&gt; &amp; closed");
    expect(html).not.toContain("Capacity <reached>");
    expect(html).toContain("Draft – not issued");
    expect(html).toContain(`<tfoot><tr><th scope="row">Total</th><td class="num">155</td>`);
    expect(renderNoticeHtml(withIssue(doc, "2026-12-01", "2026-12-29"))).not.toContain("Draft – not issued");
  });
});
