import { z } from "zod";
import { BUNDLED_BANK_HOLIDAYS, isDate } from "~/domain/calendar";
import { isoWeekStart } from "~/domain/compliance-report";
import { loadCalendar } from "~/services/compliance.server";
import { refreshComplianceWeeks } from "~/services/compliance-weeks.server";
import { ImportError } from "./core/errors";
import type { Importer } from "./core/run";

/**
 * GOV.UK's `bank-holidays.json` (https://www.gov.uk/bank-holidays.json). Only `england-and-wales` is used.
 * Dates not already known are added; compliance rows on a day that stops being a core day are removed
 * (a day that is not a core day has no compliance row).
 */
const EventSchema = z.object({
  title: z.string().min(1).max(200),
  date: z.string().refine(isDate, { message: "a date like 2026-12-25" }),
  notes: z.string().optional(),
  bunting: z.boolean().optional(),
});
const FileSchema = z.object({
  "england-and-wales": z.object({ division: z.literal("england-and-wales").optional(), events: z.array(EventSchema).min(1) }),
});

const MAX_BYTES = 5 * 1024 * 1024;

export const bankHolidaysImporter: Importer = {
  source: "bank-holidays",
  title: "GOV.UK bank-holidays.json (england-and-wales is used)",
  async run(ctx) {
    const member = ctx.input.members[0];
    if (!member || ctx.input.members.length !== 1)
      throw new ImportError({ file: ctx.input.fileName, expected: "one bank-holidays.json file", got: `${ctx.input.members.length} files` });
    if (member.size > MAX_BYTES) throw new ImportError({ file: member.label, expected: `a file under ${MAX_BYTES} bytes`, got: `${member.size} bytes` });
    const chunks: Buffer[] = [];
    for await (const chunk of await member.open()) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8").replace(/^\uFEFF/, "");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec(String((e as Error).message));
      const line = m ? text.slice(0, Number(m[1])).split("\n").length : null;
      throw new ImportError({ file: member.label, line, expected: "valid JSON (GOV.UK bank-holidays.json)", got: (e as Error).message });
    }
    const parsed = FileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ImportError({
        file: member.label,
        expected: `${issue.message} at ${issue.path.join(".") || "the top level"} (GOV.UK bank-holidays.json with an england-and-wales list)`,
      });
    }
    const known = new Set([...BUNDLED_BANK_HOLIDAYS.map((h) => h.date), ...(await ctx.trx.selectFrom("bank_holidays").select("date").execute()).map((r) => r.date)]);
    const added: string[] = [];
    for (const event of parsed.data["england-and-wales"].events) {
      ctx.counts.read++;
      ctx.tick();
      if (known.has(event.date)) {
        ctx.counts.unchanged++;
        continue;
      }
      known.add(event.date);
      await ctx.trx.insertInto("bank_holidays").values({ date: event.date, title: event.title, import_id: ctx.importId }).execute();
      added.push(event.date);
      ctx.counts.inserted++;
    }
    if (added.length > 0) {
      await ctx.trx.deleteFrom("compliance_days").where("date", "in", added).execute();
      await ctx.trx.deleteFrom("closure_episodes").where("date", "in", added).execute();
      // Their weeks' sums, regrouped from the days left (the new holidays are no longer core days).
      await refreshComplianceWeeks(ctx.trx, await loadCalendar(ctx.trx), added.map(isoWeekStart));
    }
  },
};
