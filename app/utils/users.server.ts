import type { Kysely } from "kysely";
import { z } from "zod";
import { recordAudit } from "../../db/audit";
import type { Database, Role } from "../../db/schema";
import { hashPassword } from "./password.server";

export const ROLES = ["icb", "practice", "admin"] as const satisfies readonly Role[];

export const PASSWORD_MIN_LENGTH = 12;

export const NewUserSchema = z
  .object({
    email: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.email({ message: "Enter an email address like name@example.nhs.uk" })),
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(ROLES, { message: "Role must be icb, practice or admin" }),
    icbCode: z.string().trim().toUpperCase().optional(),
    practiceCode: z.string().trim().toUpperCase().optional(),
    password: z.string().min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`).max(1024),
  })
  .superRefine((u, ctx) => {
    if (u.role === "icb" && !u.icbCode) ctx.addIssue({ code: "custom", path: ["icbCode"], message: "An icb user needs --icb CODE" });
    if (u.role === "practice" && !u.practiceCode)
      ctx.addIssue({ code: "custom", path: ["practiceCode"], message: "A practice user needs --practice CODE" });
    if (u.role !== "icb" && u.icbCode) ctx.addIssue({ code: "custom", path: ["icbCode"], message: "Only icb users take --icb" });
    if (u.role !== "practice" && u.practiceCode)
      ctx.addIssue({ code: "custom", path: ["practiceCode"], message: "Only practice users take --practice" });
  });

export type NewUser = z.input<typeof NewUserSchema>;

export class UserInputError extends Error {}

/** Creates a user after checking the role's scope exists. Records the change in the audit log. */
export async function createUser(
  db: Kysely<Database>,
  input: NewUser,
  by: { actor: string; userId?: number | null; ip?: string | null },
): Promise<{ id: number; email: string }> {
  const parsed = NewUserSchema.safeParse(input);
  if (!parsed.success) {
    throw new UserInputError(parsed.error.issues.map((i) => i.message).join("; "));
  }
  const u = parsed.data;
  if (u.icbCode) {
    const icb = await db.selectFrom("icbs").select("code").where("code", "=", u.icbCode).executeTakeFirst();
    if (!icb) throw new UserInputError(`No ICB with code ${u.icbCode}; import the practice data first`);
  }
  if (u.practiceCode) {
    const practice = await db.selectFrom("practices").select("ods_code").where("ods_code", "=", u.practiceCode).executeTakeFirst();
    if (!practice) throw new UserInputError(`No practice with ODS code ${u.practiceCode}; import the practice data first`);
  }
  const existing = await db.selectFrom("users").select("id").where("email", "=", u.email).executeTakeFirst();
  if (existing) throw new UserInputError(`A user with email ${u.email} already exists`);

  const now = new Date().toISOString();
  const password_hash = await hashPassword(u.password);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("users")
      .values({
        email: u.email,
        name: u.name ?? u.email,
        password_hash,
        role: u.role,
        icb_code: u.icbCode ?? null,
        practice_code: u.practiceCode ?? null,
        created_at: now,
        password_changed_at: now,
        disabled_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: by.actor,
      userId: by.userId ?? null,
      ip: by.ip ?? null,
      action: "user.created",
      entityType: "user",
      entityId: String(row.id),
      detail: { email: u.email, role: u.role, icbCode: u.icbCode ?? null, practiceCode: u.practiceCode ?? null },
    });
    return { id: row.id, email: u.email };
  });
}
