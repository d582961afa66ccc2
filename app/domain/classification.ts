import { z } from "zod";
import { formatUpTo } from "./numbers";

/**
 * "Can't or won't": a transparent suggestion, for a person to weigh, that sets a practice's closures against its
 * pressure. It never decides anything and every result lists the numbers behind it.
 *
 * 1. Not enough data: no core days in the period, or more than `maxNoDataShare` of core minutes have no data,
 *    or the practice is flagged for closures but no demand or capacity figure is available to judge pressure.
 * 2. Compliant: not flagged under the ICB's policy.
 * 3. Flagged, with at least `minPressureSignals` signs of pressure → capacity pressure: offer support first.
 *    Signs of pressure, each against the peer group (the ICB's practices, or all loaded):
 *    - online submissions per appointment (demand against capacity) in decile `highDecile` or above;
 *    - online submissions per 1,000 patients in decile `highDecile` or above;
 *    - clinical FTE per 10,000 patients in decile `lowWorkforceDecile` or below;
 *    - missed-call share in decile `highDecile` or above;
 *    - a demand surge against the practice's own baseline during the period.
 * 4. Flagged, with fewer signs → closures without evident pressure: a contract conversation.
 */

export type Classification = "compliant" | "capacity_pressure" | "no_evident_pressure" | "not_enough_data";

export const CLASSIFICATION_LABELS: Record<Classification, { label: string; action: string }> = {
  capacity_pressure: { label: "Capacity pressure", action: "Offer support first" },
  no_evident_pressure: { label: "Closures without evident pressure", action: "Contract conversation" },
  compliant: { label: "Compliant", action: "No action suggested" },
  not_enough_data: { label: "Not enough data", action: "Get the data before judging" },
};

export interface ClassificationSettings {
  maxNoDataShare: number;
  highDecile: number;
  lowWorkforceDecile: number;
  minPressureSignals: number;
}

export const DEFAULT_CLASSIFICATION: ClassificationSettings = {
  maxNoDataShare: 0.5,
  highDecile: 8,
  lowWorkforceDecile: 3,
  // Two independent signs, so that one figure in an extreme decile (a thin workforce, a busy phone line) does not on
  // its own turn closures into "can't"; an ICB can set 1 on its settings page.
  minPressureSignals: 2,
};

/** A form field as a number: empty is refused (never read as 0), then the number's own rules. */
const coercedNumber = (message: string) => z.coerce.number<string>({ message });
type CoercedNumber = ReturnType<typeof coercedNumber>;
const numberField = (empty: string, notNumber: string) => (rules: (n: CoercedNumber) => CoercedNumber) =>
  z.string({ message: empty }).trim().min(1, empty).pipe(rules(coercedNumber(notNumber)));

export const ClassificationSettingsSchema = z.object({
  maxNoDataShare: numberField("Enter the no-data share", "Enter the no-data share as a number")((n) =>
    n.min(0, "Enter a share from 0 to 1").max(1, "Enter a share from 0 to 1"),
  ),
  highDecile: numberField("Enter the high decile", "Enter the high decile as a number")((n) =>
    n.int("Enter a whole decile").min(1, "Enter a decile from 1 to 10").max(10, "Enter a decile from 1 to 10"),
  ),
  lowWorkforceDecile: numberField("Enter the low workforce decile", "Enter the low workforce decile as a number")((n) =>
    n.int("Enter a whole decile").min(1, "Enter a decile from 1 to 10").max(10, "Enter a decile from 1 to 10"),
  ),
  minPressureSignals: numberField("Enter the number of signs of pressure", "Enter the number of signs of pressure as a number")((n) =>
    n.int("Enter a whole number").min(1, "At least 1 sign of pressure").max(5, "At most 5 signs of pressure"),
  ),
});

export interface Indicator {
  value: number | null;
  decile: number | null;
  /** The month (or other period) the figure is for, in words ("March 2026"); named in the reason when given. */
  period?: string;
}

export interface ClassificationInput {
  coreMinutes: number;
  closedMinutes: number;
  unknownMinutes: number;
  flaggedDays: number;
  flagged: boolean;
  demandPerAppointment: Indicator | null;
  submissionsPer1000: Indicator | null;
  clinicalFtePer10000: Indicator | null;
  missedCallShare: Indicator | null;
  /** Surges in the period; null when there is no timed submission data to look for them. */
  surges: { start: string; end: string }[] | null;
  peerGroup: string;
}

export interface Reason {
  kind: "compliance" | "pressure" | "no_pressure" | "data";
  text: string;
}

export interface ClassificationResult {
  classification: Classification;
  label: string;
  action: string;
  pressureSignals: number;
  reasons: Reason[];
}

/**
 * Whether `classify` weighs pressure for these figures: the practice is flagged, the period has core minutes and no
 * more than `maxNoDataShare` of them lack data. Otherwise the result is "compliant" or "not enough data" whatever
 * the demand and capacity figures say, so they need not be read.
 */
export function weighsPressure(
  input: Pick<ClassificationInput, "coreMinutes" | "unknownMinutes" | "flagged">,
  settings: ClassificationSettings = DEFAULT_CLASSIFICATION,
): boolean {
  return input.flagged && input.coreMinutes > 0 && input.unknownMinutes / input.coreMinutes <= settings.maxNoDataShare;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fmt = (x: number | null, digits = 1) => (x === null ? "no value" : formatUpTo(x, digits));

export function classify(input: ClassificationInput, settings: ClassificationSettings = DEFAULT_CLASSIFICATION): ClassificationResult {
  const reasons: Reason[] = [];
  const result = (classification: Classification, pressureSignals = 0): ClassificationResult => ({
    classification,
    ...CLASSIFICATION_LABELS[classification],
    pressureSignals,
    reasons,
  });

  if (input.coreMinutes === 0) {
    reasons.push({ kind: "data", text: "There are no core days in the period." });
    return result("not_enough_data");
  }
  const noDataShare = input.unknownMinutes / input.coreMinutes;
  if (noDataShare > settings.maxNoDataShare) {
    reasons.push({ kind: "data", text: `${pct(noDataShare)} of core minutes have no availability data (more than ${pct(settings.maxNoDataShare)}).` });
    return result("not_enough_data");
  }
  reasons.push({
    kind: "compliance",
    text: input.flagged
      ? `Flagged under the ICB's policy: ${input.flaggedDays} flagged day${input.flaggedDays === 1 ? "" : "s"}, ${fmt(input.closedMinutes, 0)} closed minutes in core hours.`
      : `Not flagged under the ICB's policy (${fmt(input.closedMinutes, 0)} closed minutes, ${input.flaggedDays} flagged day${input.flaggedDays === 1 ? "" : "s"}).`,
  });
  if (!input.flagged) return result("compliant");

  let available = 0;
  let signals = 0;
  const consider = (indicator: Indicator | null, name: string, isPressure: (decile: number) => boolean, rule: string) => {
    if (!indicator || indicator.decile === null) return;
    available++;
    const pressure = isPressure(indicator.decile);
    if (pressure) signals++;
    reasons.push({
      kind: pressure ? "pressure" : "no_pressure",
      text: `${name}${indicator.period ? ` (${indicator.period})` : ""}: ${fmt(indicator.value, 2)}, decile ${indicator.decile} of 10 among ${input.peerGroup} (${pressure ? "" : "not "}${rule}).`,
    });
  };
  consider(input.demandPerAppointment, "Online submissions per appointment", (d) => d >= settings.highDecile, `decile ${settings.highDecile} or above`);
  consider(input.submissionsPer1000, "Online submissions per 1,000 patients", (d) => d >= settings.highDecile, `decile ${settings.highDecile} or above`);
  consider(input.clinicalFtePer10000, "Clinical FTE per 10,000 patients", (d) => d <= settings.lowWorkforceDecile, `decile ${settings.lowWorkforceDecile} or below`);
  consider(input.missedCallShare, "Missed-call share", (d) => d >= settings.highDecile, `decile ${settings.highDecile} or above`);
  if (input.surges !== null) {
    available++;
    if (input.surges.length > 0) {
      signals++;
      reasons.push({
        kind: "pressure",
        text: `Demand surge against its own baseline: ${input.surges.map((s) => `${s.start} to ${s.end}`).join("; ")}.`,
      });
    } else {
      reasons.push({ kind: "no_pressure", text: "No demand surge against its own baseline in the period." });
    }
  }
  if (available === 0) {
    reasons.push({ kind: "data", text: "No demand or capacity figures are available to judge pressure." });
    return result("not_enough_data");
  }
  return result(signals >= settings.minPressureSignals ? "capacity_pressure" : "no_evident_pressure", signals);
}
