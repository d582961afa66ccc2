/**
 * What each demo practice does with its online consultation tool, so that availability, submissions, activity,
 * cases and notices in the demo all tell the same story. Every practice not listed here is compliant.
 */
export type DemoBehaviour =
  /** Open throughout core hours. */
  | "compliant"
  /** Switches the tool off 13:00–14:00 every core day. */
  | "lunchtime"
  /** Switches off once a daily cap is reached by late morning, mostly on Mondays; demand far above capacity. */
  | "daily-cap"
  /** Switched off entirely for five weeks in the summer; ordinary demand. */
  | "switched-off"
  /** Takes no clinical requests after 15:00 (admin requests stay open). */
  | "clinical-afternoons"
  /** Mostly open, with short unexplained closures now and then. */
  | "occasional"
  /** Open, but its supplier's log has gaps (months with no data at all). */
  | "gaps";

export const DEMO_BEHAVIOURS: Record<string, DemoBehaviour> = {
  DEM001: "occasional",
  DEM002: "lunchtime",
  DEM003: "lunchtime",
  DEM005: "daily-cap",
  DEM007: "switched-off",
  DEM009: "clinical-afternoons",
  DEM011: "gaps",
  DEM017: "lunchtime",
  DEM020: "gaps",
  DEM031: "lunchtime",
  DEM040: "daily-cap",
  DEM052: "occasional",
  DEM066: "switched-off",
  DEM078: "clinical-afternoons",
  DEM090: "occasional",
  DEM108: "lunchtime",
  DEM112: "daily-cap",
};

export function behaviourOf(code: string): DemoBehaviour {
  return DEMO_BEHAVIOURS[code] ?? "compliant";
}

/** The demo's availability and submissions run over twelve months up to Friday 20 November 2026. */
export const DEMO_PERIOD = { from: "2025-11-24", to: "2026-11-20" } as const;

/** A supplier-wide outage: every practice on this OC supplier is closed 09:10–11:40 that day. */
export const DEMO_OUTAGE = { date: "2026-05-13", supplier: "demo-acme", from: "09:10", to: "11:40", reason: "Supplier outage (platform incident)" } as const;

/** The fictional OC suppliers of the demo, by practice (every third practice on each). */
export const DEMO_OC_SUPPLIERS = ["demo-acme", "demo-beacon", "demo-cedar"] as const;

export function ocSupplierOf(code: string): (typeof DEMO_OC_SUPPLIERS)[number] {
  const n = Number(code.replace(/\D/g, ""));
  return DEMO_OC_SUPPLIERS[n % 3]!;
}

/** Gaps: the months a "gaps" practice's supplier sent nothing. */
export const DEMO_GAP_MONTHS = ["2026-02", "2026-08"] as const;

/** The switched-off period. */
export const DEMO_SWITCH_OFF = { from: "2026-06-01", to: "2026-07-03", reason: "Online consultation switched off: staffing" } as const;
