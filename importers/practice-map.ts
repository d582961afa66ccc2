import { ImportError } from "./core/errors";
import { MembershipLoader } from "./core/memberships";
import type { Importer } from "./core/run";

/**
 * Practice memberships: practice → PCN → sub-ICB location → ICB → region, with names.
 * Reads `gp-reg-pat-prac-map.csv` (Patients Registered at a GP Practice) and the `Mapping.csv` inside the
 * Appointments in General Practice practice-level zip; columns are matched by name, so either layout works
 * (the shared logic is in core/memberships.ts).
 */
export const practiceMapImporter: Importer = {
  source: "practice-map",
  title: "Practice memberships: gp-reg-pat-prac-map.csv or the appointments Mapping.csv (.csv or .zip)",
  async run(ctx) {
    const loader = await MembershipLoader.create(ctx.trx, ctx.counts, "practice-map");
    const members = ctx.input.members.filter((m) => ctx.input.members.length === 1 || /map/i.test(m.name));
    if (members.length === 0)
      throw new ImportError({ file: ctx.input.fileName, expected: "a practice map CSV (a member named like gp-reg-pat-prac-map.csv or Mapping.csv)", got: ctx.input.members.map((m) => m.name).join(", ") || "no CSV" });
    for (const member of members) await loader.load(member, ctx);
    await loader.finish();
  },
};
