import { AvailabilityFields, type AvailabilityRecord } from "./availability-format";

/**
 * The body of `POST /api/v1/availability` (docs/formats/availability.md): one event object, or `{ "events": [...] }`
 * with up to 1,000. Each event is an `event_id` plus the fields of a CSV availability log row, validated by the same
 * schema; errors name the event and the field (`events[3].start: expected …, got "…"`). Pure: no I/O.
 */
export const MAX_EVENTS = 1000;
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_EVENT_ID_LENGTH = 200;
/** At most this many problems are listed in a 400 answer. */
export const MAX_DETAILS = 100;

const REQUIRED = ["event_id", "practice_code", "start", "end", "status"] as const;
const OPTIONAL = ["category", "reason", "source"] as const;
const FIELDS: readonly string[] = [...REQUIRED, ...OPTIONAL];

export interface PushEvent extends Omit<AvailabilityRecord, "source"> {
  eventId: string;
  /** Where the event is in the body: `events[3]`, or `event` for a single-event body. */
  label: string;
  /** Identifies what the event says, after validation (so `08:00+01:00` and `07:00Z` are the same event). */
  fingerprint: string;
}

export type ParsedPush =
  | { ok: true; events: PushEvent[]; repeats: number }
  | { ok: false; status: 400 | 413; error: string; details: string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as an error shows it: JSON, cut short. */
function shown(value: unknown): string {
  const text = preview(value, 4);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * JSON for the first few levels and items only. A body may nest arrays thousands deep, which JSON.stringify would
 * follow until the stack overflows (a 500 instead of a 400), and may hold a million items, of which 60 characters are
 * shown anyway.
 */
function preview(value: unknown, depth: number): string {
  if (Array.isArray(value) || (typeof value === "object" && value !== null)) {
    const isArray = Array.isArray(value);
    if (depth === 0) return isArray ? "[…]" : "{…}";
    const keys = isArray ? null : Object.keys(value);
    const count = isArray ? (value as unknown[]).length : keys!.length;
    const parts: string[] = [];
    let length = 0;
    for (let i = 0; i < count; i++) {
      if (length > 60) {
        parts.push("…");
        break;
      }
      const part = isArray
        ? preview((value as unknown[])[i], depth - 1)
        : `${JSON.stringify(keys![i])}:${preview((value as Record<string, unknown>)[keys![i]!], depth - 1)}`;
      parts.push(part);
      length += part.length + 1;
    }
    return isArray ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

export function fingerprint(e: Pick<PushEvent, "practiceCode" | "start" | "end" | "status" | "category" | "reason">): string {
  return JSON.stringify([e.practiceCode, e.start, e.end, e.status, e.category, e.reason]);
}

function field(label: string, name: string): string {
  return label === "event" ? name : `${label}.${name}`;
}

function parseEvent(raw: unknown, label: string, supplierName: string, details: string[]): PushEvent | null {
  if (!isObject(raw)) {
    details.push(`${label}: expected an object with ${REQUIRED.join(", ")}, got ${shown(raw)}`);
    return null;
  }
  const before = details.length;
  for (const key of Object.keys(raw)) {
    if (!FIELDS.includes(key)) details.push(`${field(label, key)}: not a field of an event (the fields are ${FIELDS.join(", ")})`);
  }
  const text: Record<string, string> = {};
  for (const key of FIELDS) {
    const value = raw[key];
    if (value === undefined || value === null) {
      if ((REQUIRED as readonly string[]).includes(key)) details.push(`${field(label, key)}: required, got nothing`);
      text[key] = "";
    } else if (typeof value !== "string") {
      details.push(`${field(label, key)}: expected a string, got ${shown(value)}`);
      text[key] = "";
    } else text[key] = value;
  }
  const eventId = text.event_id!;
  if (raw.event_id !== undefined && raw.event_id !== null && typeof raw.event_id === "string" && (eventId.length < 1 || eventId.length > MAX_EVENT_ID_LENGTH)) {
    details.push(`${field(label, "event_id")}: expected 1 to ${MAX_EVENT_ID_LENGTH} characters, got ${eventId.length}`);
  }
  const source = text.source!.trim();
  if (source !== "" && source !== supplierName) {
    details.push(`${field(label, "source")}: expected this token's supplier name ${JSON.stringify(supplierName)} or nothing, got ${shown(raw.source)}`);
  }
  // The CSV fields, through the same schema as a log row (only those not already reported as missing or mistyped).
  const reported = new Set(details.slice(before).map((d) => d.slice(0, d.indexOf(":"))));
  const result = AvailabilityFields.safeParse({ ...text, source: "" });
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? "");
      const where = field(label, name);
      if (seen.has(where) || reported.has(where)) continue;
      seen.add(where);
      details.push(`${where}: expected ${issue.message}, got ${shown(raw[name] ?? "")}`);
    }
  }
  if (!result.success || details.length > before) return null;
  const { source: _source, ...record } = result.data;
  return { ...record, eventId, label, fingerprint: fingerprint(record) };
}

/**
 * Validates a parsed JSON body for one supplier. An event repeated within the body with the same content counts
 * once (and as a repeat); the same `event_id` with different content is an error.
 */
export function parsePushBody(body: unknown, supplierName: string): ParsedPush {
  let raws: { raw: unknown; label: string }[];
  if (isObject(body) && "events" in body) {
    const extra = Object.keys(body).filter((k) => k !== "events");
    if (extra.length > 0) {
      return { ok: false, status: 400, error: "Invalid body", details: extra.map((k) => `${k}: not expected next to events`) };
    }
    if (!Array.isArray(body.events)) return { ok: false, status: 400, error: "Invalid body", details: [`events: expected an array, got ${shown(body.events)}`] };
    if (body.events.length === 0) return { ok: false, status: 400, error: "Invalid body", details: ["events: expected at least one event, got none"] };
    if (body.events.length > MAX_EVENTS) {
      return { ok: false, status: 413, error: `Too many events: at most ${MAX_EVENTS} per request`, details: [`events: ${body.events.length} events`] };
    }
    raws = body.events.map((raw, i) => ({ raw, label: `events[${i}]` }));
  } else if (isObject(body)) {
    raws = [{ raw: body, label: "event" }];
  } else {
    return { ok: false, status: 400, error: "Invalid body", details: [`expected one event object or {"events": [...]}, got ${shown(body)}`] };
  }

  const details: string[] = [];
  const events: PushEvent[] = [];
  const byId = new Map<string, PushEvent>();
  let repeats = 0;
  for (const { raw, label } of raws) {
    const event = parseEvent(raw, label, supplierName, details);
    if (!event) continue;
    const earlier = byId.get(event.eventId);
    if (!earlier) {
      byId.set(event.eventId, event);
      events.push(event);
    } else if (earlier.fingerprint === event.fingerprint) {
      repeats++;
    } else {
      details.push(`${field(label, "event_id")}: ${shown(event.eventId)} is also ${earlier.label}, with different content`);
    }
  }
  if (details.length > 0) {
    const shownDetails = details.slice(0, MAX_DETAILS);
    if (details.length > MAX_DETAILS) shownDetails.push(`… and ${details.length - MAX_DETAILS} more`);
    return { ok: false, status: 400, error: "Invalid events; nothing was stored", details: shownDetails };
  }
  return { ok: true, events, repeats };
}
