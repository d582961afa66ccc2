import { availabilityImporter } from "./availability";
import { bankHolidaysImporter } from "./bank-holidays";
import { cbtImporter } from "./cbt";
import { epraccurImporter } from "./epraccur";
import { gpadPracticeImporter } from "./gpad-practice";
import { listSizesImporter } from "./list-sizes";
import { ocByDayTimeImporter } from "./oc-by-day-time";
import { ocSubmissionsImporter } from "./oc-submissions";
import { practiceMapImporter } from "./practice-map";
import { workforceImporter } from "./workforce";
import type { Importer } from "./core/run";

/** Every file format the app can import, by the name used on the command line and in the import log. */
export const importers = {
  epraccur: epraccurImporter,
  "practice-map": practiceMapImporter,
  "list-sizes": listSizesImporter,
  "gpad-practice": gpadPracticeImporter,
  availability: availabilityImporter,
  "bank-holidays": bankHolidaysImporter,
  cbt: cbtImporter,
  "oc-by-day-time": ocByDayTimeImporter as Importer<any>,
  // Typed with their options in their modules; listed here with the default options type, like most, so that
  // callers taking any importer (importFile over this table) infer one options type.
  "oc-submissions": ocSubmissionsImporter as Importer,
  workforce: workforceImporter as Importer,
} satisfies Record<string, Importer<any>>;

export type ImporterName = keyof typeof importers;

export function isImporterName(name: string): name is ImporterName {
  return Object.hasOwn(importers, name);
}
