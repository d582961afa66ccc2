import { z } from "zod";
import { daysBetween } from "./calendar";

/**
 * An ICB's policy: what the app flags for a commissioner's attention. A *flagged day* is a core day with at least
 * `closedMinutesPerDay` closed minutes (excepted minutes, inside approved pauses, do not count). A practice is
 * *flagged* when some run of `windowDays` calendar days holds at least `flaggedDays` flagged days.
 * Flags prompt a look; they decide nothing.
 */
export interface Policy {
  closedMinutesPerDay: number;
  flaggedDays: number;
  windowDays: number;
}

export const DEFAULT_POLICY: Policy = { closedMinutesPerDay: 30, flaggedDays: 3, windowDays: 28 };

export const PolicySchema = z.object({
  closedMinutesPerDay: z.coerce
    .number({ message: "Enter the closed minutes as a number" })
    .int("Enter the closed minutes as a whole number")
    .min(1, "Closed minutes must be at least 1")
    .max(630, "Closed minutes cannot be more than a core day's 630"),
  flaggedDays: z.coerce
    .number({ message: "Enter the number of days as a number" })
    .int("Enter the number of days as a whole number")
    .min(1, "The number of days must be at least 1")
    .max(60, "The number of days must be 60 or fewer"),
  windowDays: z.coerce
    .number({ message: "Enter the window as a number of days" })
    .int("Enter the window as a whole number of days")
    .min(1, "The window must be at least 1 day")
    .max(366, "The window must be 366 days or fewer"),
});

export interface DayClosed {
  date: string;
  closedMinutes: number;
}

export interface FlagResult {
  flaggedDates: string[];
  flagged: boolean;
  /** The first window that met the policy: its first and last flagged days. */
  firstWindow: { from: string; to: string } | null;
  /** The most flagged days found in any window. */
  mostInWindow: number;
}

export function evaluateFlags(days: readonly DayClosed[], policy: Policy): FlagResult {
  const flaggedDates = days
    .filter((d) => d.closedMinutes >= policy.closedMinutesPerDay)
    .map((d) => d.date)
    .sort();
  let mostInWindow = 0;
  let firstWindow: FlagResult["firstWindow"] = null;
  // Each date as days from the first, worked out once rather than at every step of the window.
  const offsets = flaggedDates.map((d) => daysBetween(flaggedDates[0]!, d));
  let left = 0;
  for (let right = 0; right < flaggedDates.length; right++) {
    while (offsets[right]! - offsets[left]! >= policy.windowDays) left++;
    const count = right - left + 1;
    if (count > mostInWindow) mostInWindow = count;
    if (!firstWindow && count >= policy.flaggedDays) firstWindow = { from: flaggedDates[left]!, to: flaggedDates[right]! };
  }
  return { flaggedDates, flagged: firstWindow !== null, firstWindow, mostInWindow };
}

export function describePolicy(p: Policy): string {
  return `at least ${p.closedMinutesPerDay} closed minutes on at least ${p.flaggedDays} core day${p.flaggedDays === 1 ? "" : "s"} in any ${p.windowDays} days`;
}
