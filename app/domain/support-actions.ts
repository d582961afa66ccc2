import { z } from "zod";
import type { Classification, ClassificationResult } from "./classification";
import data from "./data/support-actions.json";

/**
 * The support-action library (reviewed data in data/support-actions.json) and suggestions from it.
 *
 * A suggestion is only a starting point: the commissioner chooses the actions, gives each an owner, a due date and a
 * review date. Actions are suggested by the practice's can't/won't classification and by *reason keys*: the signs of
 * pressure behind the classification and what the closures' own reasons say (capacity, a technical fault, staffing,
 * no reason at all).
 */

export const REASON_KEYS = [
  "high_demand_per_appointment",
  "high_submissions_per_1000",
  "low_clinical_workforce",
  "high_missed_calls",
  "demand_surge",
  "closure_capacity",
  "closure_technical",
  "closure_staffing",
  "closure_unexplained",
  "no_data",
] as const;
export type ReasonKey = (typeof REASON_KEYS)[number];

export const REASON_LABELS: Record<ReasonKey, string> = {
  high_demand_per_appointment: "High online demand for each appointment",
  high_submissions_per_1000: "High online submissions per 1,000 patients",
  low_clinical_workforce: "Low clinical workforce for the list size",
  high_missed_calls: "A high share of missed calls",
  demand_surge: "A surge in demand against the practice's own baseline",
  closure_capacity: "Closures given as capacity or demand reached",
  closure_technical: "Closures given as a technical fault or outage",
  closure_staffing: "Closures given as staffing or training",
  closure_unexplained: "Closures with no reason given",
  no_data: "Not enough data to judge",
};

const CLASSIFICATIONS = ["compliant", "capacity_pressure", "no_evident_pressure", "not_enough_data"] as const satisfies readonly Classification[];

export const SupportActionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  title: z.string().min(1),
  description: z.string().min(1),
  /** Who usually owns it. */
  owner: z.string().min(1),
  classifications: z.array(z.enum(CLASSIFICATIONS)),
  reasons: z.array(z.enum(REASON_KEYS)),
});
export type SupportAction = z.infer<typeof SupportActionSchema>;

/** The library, checked when loaded: a malformed or duplicated entry stops the app rather than showing wrong advice. */
export const SUPPORT_ACTIONS: readonly SupportAction[] = (() => {
  const actions = z.array(SupportActionSchema).parse(data.actions);
  const ids = new Set<string>();
  for (const a of actions) {
    if (ids.has(a.id)) throw new Error(`support-actions.json: duplicate id ${a.id}`);
    ids.add(a.id);
  }
  return actions;
})();

export function supportActionById(id: string): SupportAction | undefined {
  return SUPPORT_ACTIONS.find((a) => a.id === id);
}

/** The classification's reasons as reason keys (by the indicator each reason names). */
const PRESSURE_PREFIXES: [string, ReasonKey][] = [
  ["Online submissions per appointment", "high_demand_per_appointment"],
  ["Online submissions per 1,000 patients", "high_submissions_per_1000"],
  ["Clinical FTE per 10,000 patients", "low_clinical_workforce"],
  ["Missed-call share", "high_missed_calls"],
  ["Demand surge", "demand_surge"],
];

/** What closures' own reasons (as the supplier or practice gave them) point to. */
export function closureReasonKeys(reasons: readonly (readonly string[])[]): ReasonKey[] {
  const keys = new Set<ReasonKey>();
  for (const list of reasons) {
    if (list.length === 0 || list.every((r) => !r.trim())) keys.add("closure_unexplained");
    for (const r of list) {
      if (/capacity|\bcap(ped)?\b|demand|limit|\bfull\b|overwhelm|too many|busy/i.test(r)) keys.add("closure_capacity");
      if (/outage|fault|failure|system|supplier|technical|\bdown\b|error|broken|network|internet|power/i.test(r) || /\bIT\b/.test(r))
        keys.add("closure_technical");
      if (/staff|sick|absen|leave|training|locum/i.test(r)) keys.add("closure_staffing");
    }
  }
  return REASON_KEYS.filter((k) => keys.has(k));
}

/**
 * Reason keys from a classification result (its signs of pressure, and "no data" when that is why it could not
 * judge) and from the reasons given for the closure episodes (one list of reasons per episode).
 */
export function reasonKeys(result: Pick<ClassificationResult, "classification" | "reasons"> | null, closureReasons: readonly (readonly string[])[] = []): ReasonKey[] {
  const keys = new Set<ReasonKey>(closureReasonKeys(closureReasons));
  for (const reason of result?.reasons ?? []) {
    if (reason.kind === "pressure") {
      const match = PRESSURE_PREFIXES.find(([prefix]) => reason.text.startsWith(prefix));
      if (match) keys.add(match[1]);
    }
    if (reason.kind === "data" && result?.classification === "not_enough_data") keys.add("no_data");
  }
  return REASON_KEYS.filter((k) => keys.has(k));
}

export interface SupportSuggestion {
  action: SupportAction;
  /** Why it is suggested, in words: the matching reasons first, then the classification. */
  because: string[];
  score: number;
}

const CLASSIFICATION_WORDS: Record<Classification, string> = {
  capacity_pressure: "Suggested where closures come with capacity pressure",
  no_evident_pressure: "Suggested where closures come without evident pressure",
  not_enough_data: "Suggested where there is not enough data to judge",
  compliant: "Suggested for compliant practices",
};

/**
 * The library's actions that fit a classification and reason keys, best first: two points for each matching reason,
 * one for the classification; actions matching neither are left out. Ties keep the library's order.
 */
export function suggestSupportActions(classification: Classification | null, reasons: readonly ReasonKey[]): SupportSuggestion[] {
  const wanted = new Set(reasons);
  const out: SupportSuggestion[] = [];
  for (const action of SUPPORT_ACTIONS) {
    const matched = action.reasons.filter((r) => wanted.has(r));
    const byClass = classification !== null && action.classifications.includes(classification);
    const score = matched.length * 2 + (byClass ? 1 : 0);
    if (score === 0) continue;
    const because = matched.map((r) => REASON_LABELS[r]);
    if (byClass) because.push(CLASSIFICATION_WORDS[classification]);
    out.push({ action, because, score });
  }
  return out.sort((a, b) => b.score - a.score);
}
