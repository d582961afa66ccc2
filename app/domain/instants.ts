import { DateTime } from "luxon";
import { ZONE } from "./calendar";

/**
 * Supplier times: ISO 8601 with an offset or `Z` (`2026-03-30T08:00:00+01:00`, `2026-03-30T07:00Z`,
 * `2026-03-30 08:00+0100`, `2026-03-30T08:00+01`), or London local time with no offset, written
 * `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]` (ISO 8601's own "local time"). The date and time may be
 * separated by `T` or a space either way. Seconds (and fractions) are dropped: a time stands for the whole minute it
 * falls in, so an interval covers the minutes from its start up to, not including, its end.
 *
 * A local time in the hour the clocks go back (it happens twice) is read as the second, GMT one; one in the hour
 * the clocks go forward (it never happens) is read as if the clocks had already changed. Both are early on a
 * Sunday, outside core hours.
 */
export const INSTANT_EXPECTED = "a time like 2026-03-30T08:00:00+01:00, 2026-03-30T07:00:00Z or 2026-03-30 08:00 (London time)";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/i;
const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export type ParsedInstant = { ok: true; minute: number; ms: number } | { ok: false; expected: string };

export function parseInstant(raw: string): ParsedInstant {
  const text = raw.trim();
  const local = LOCAL.exec(text);
  let dt: DateTime | null = null;
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    dt = DateTime.fromObject(
      { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: s ? Number(s) : 0 },
      { zone: ZONE },
    );
    // Luxon normalises impossible values (25:00, 31 February); refuse them instead.
    if (dt.isValid && (dt.day !== Number(d) || dt.month !== Number(mo) || Number(h) > 23 || Number(mi) > 59 || (s && Number(s) > 59))) dt = null;
  } else {
    const offset = WITH_OFFSET.exec(text);
    // Luxon reads the ISO form only: `T` between date and time, and `±hh:mm` (or Z) as the offset.
    if (offset) {
      const [, date, time, zone] = offset;
      const iso = zone!.toUpperCase() === "Z" ? "Z" : zone!.length === 3 ? `${zone}:00` : zone!.includes(":") ? zone! : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
      // Real offsets run from -12:00 to +14:00; anything else is a typing error, not a time.
      const plausible = iso === "Z" || (Number(iso.slice(1, 3)) <= 14 && Number(iso.slice(4, 6)) < 60);
      if (plausible) dt = DateTime.fromISO(`${date}T${time}${iso}`, { setZone: true });
    }
  }
  if (!dt || !dt.isValid) return { ok: false, expected: INSTANT_EXPECTED };
  const ms = dt.toMillis();
  return { ok: true, minute: Math.floor(ms / 60_000), ms };
}

/** An epoch minute as ISO 8601 UTC (`2026-03-30T07:00:00Z`). */
export function minuteToIso(minute: number): string {
  return new Date(minute * 60_000).toISOString().replace(".000Z", "Z");
}

/** An epoch minute as London local time, `2026-03-30 08:00`. */
export function minuteToLocal(minute: number): string {
  return DateTime.fromMillis(minute * 60_000, { zone: ZONE }).toFormat("yyyy-MM-dd HH:mm");
}
