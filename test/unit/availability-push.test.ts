import { describe, expect, it } from "vitest";
import { MAX_EVENTS, parsePushBody } from "~/domain/availability-push";

const event = (over: Record<string, unknown> = {}) => ({
  event_id: "e-1",
  practice_code: "A81001",
  start: "2026-03-30 08:00",
  end: "2026-03-30T08:30:00+01:00",
  status: "closed",
  ...over,
});

describe("the push body", () => {
  it("reads one event or a batch into epoch minutes, with defaults", () => {
    const single = parsePushBody(event(), "Acme");
    expect(single).toEqual({
      ok: true,
      repeats: 0,
      events: [
        {
          eventId: "e-1",
          label: "event",
          practiceCode: "A81001",
          start: Date.UTC(2026, 2, 30, 7) / 60_000,
          end: Date.UTC(2026, 2, 30, 7, 30) / 60_000,
          status: "closed",
          category: "all",
          reason: null,
          fingerprint: JSON.stringify(["A81001", Date.UTC(2026, 2, 30, 7) / 60_000, Date.UTC(2026, 2, 30, 7, 30) / 60_000, "closed", "all", null]),
        },
      ],
    });
    const batch = parsePushBody({ events: [event(), event({ event_id: "e-2", category: "admin", reason: "Lunch", source: "Acme" })] }, "Acme");
    expect(batch.ok && batch.events.map((e) => [e.label, e.category, e.reason])).toEqual([
      ["events[0]", "all", null],
      ["events[1]", "admin", "Lunch"],
    ]);
  });

  it("treats the same event written another way as a repeat, and a different one with the same id as an error", () => {
    const same = parsePushBody({ events: [event(), event({ start: "2026-03-30T07:00:00Z", category: "" })] }, "Acme");
    expect(same.ok && same.repeats).toBe(1);
    const different = parsePushBody({ events: [event(), event({ status: "open" })] }, "Acme");
    expect(different).toEqual({ ok: false, status: 400, error: "Invalid events; nothing was stored", details: ['events[1].event_id: "e-1" is also events[0], with different content'] });
  });

  it("refuses more than the maximum number of events as too large", () => {
    const many = parsePushBody({ events: Array.from({ length: MAX_EVENTS + 1 }, (_, i) => event({ event_id: `e-${i}` })) }, "Acme");
    expect(many).toMatchObject({ ok: false, status: 413 });
    expect(parsePushBody({ events: Array.from({ length: MAX_EVENTS }, (_, i) => event({ event_id: `e-${i}` })) }, "Acme").ok).toBe(true);
  });

  it("names what is wrong, lists at most 100 problems, and refuses extra keys next to events", () => {
    const bad = parsePushBody({ events: Array.from({ length: 120 }, (_, i) => event({ event_id: `e-${i}`, start: "soon" })) }, "Acme");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.details).toHaveLength(101);
      expect(bad.details[100]).toBe("… and 20 more");
    }
    expect(parsePushBody({ events: [event()], supplier: "x" }, "Acme")).toEqual({ ok: false, status: 400, error: "Invalid body", details: ["supplier: not expected next to events"] });
    expect(parsePushBody("text", "Acme")).toMatchObject({ ok: false, status: 400, details: ['expected one event object or {"events": [...]}, got "text"'] });
    expect(parsePushBody({ events: [42] }, "Acme")).toMatchObject({ ok: false, details: ["events[0]: expected an object with event_id, practice_code, start, end, status, got 42"] });
  });
});
