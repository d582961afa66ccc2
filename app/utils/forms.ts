import type { z } from "zod";

export type FieldErrors = Record<string, string>;

/** Validates form data with a Zod schema; errors come back keyed by field, first message per field. */
export function parseForm<S extends z.ZodType>(
  form: FormData,
  schema: S,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors; values: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") values[k] = v;
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return { ok: false, errors, values };
}
