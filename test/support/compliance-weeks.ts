import type Database from "better-sqlite3";
import { isoWeekStart } from "~/domain/compliance-report";

/**
 * What `compliance_weeks` must hold, worked out here from every stored day: per practice and ISO week (its Monday),
 * the sums of open, closed and excepted minutes, the fewest no-data minutes and the number of days. Stored days are
 * core days only, so every day counts. In the order `storedWeeks` reads them.
 */
export function weeksFromDays(sqlite: Database.Database): unknown[] {
  const days = sqlite
    .prepare("select practice_code, date, open_minutes, closed_minutes, excepted_minutes, unknown_minutes from compliance_days order by practice_code, date")
    .all() as { practice_code: string; date: string; open_minutes: number; closed_minutes: number; excepted_minutes: number; unknown_minutes: number }[];
  const weeks = new Map<string, { practice_code: string; week: string; open_minutes: number; closed_minutes: number; excepted_minutes: number; least_unknown: number; days: number }>();
  for (const d of days) {
    const week = isoWeekStart(d.date);
    const key = `${d.practice_code}|${week}`;
    const w = weeks.get(key);
    if (!w) {
      weeks.set(key, { practice_code: d.practice_code, week, open_minutes: d.open_minutes, closed_minutes: d.closed_minutes, excepted_minutes: d.excepted_minutes, least_unknown: d.unknown_minutes, days: 1 });
      continue;
    }
    w.open_minutes += d.open_minutes;
    w.closed_minutes += d.closed_minutes;
    w.excepted_minutes += d.excepted_minutes;
    w.least_unknown = Math.min(w.least_unknown, d.unknown_minutes);
    w.days++;
  }
  return [...weeks.values()].sort((a, b) => (a.practice_code + a.week < b.practice_code + b.week ? -1 : 1));
}

/** The stored `compliance_weeks`, by practice and week. */
export function storedWeeks(sqlite: Database.Database): unknown[] {
  return sqlite.prepare("select * from compliance_weeks order by practice_code, week").all();
}
