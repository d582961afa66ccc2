import type { Kysely } from "kysely";
import { createHash, randomBytes } from "node:crypto";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";

/**
 * Suppliers that push availability to `POST /api/v1/availability`, each with one bearer token and the ICBs whose
 * practices it may report for. The token (`icbam_` + 32 random bytes, base64url) is shown once, when issued; the
 * database keeps only its SHA-256 and a short hint, so a copy of the database cannot be used to push.
 * Issuing and revoking are audit-logged.
 */
export const TOKEN_PREFIX = "icbam_";
const TOKEN_PATTERN = /^icbam_[A-Za-z0-9_-]{43}$/;

export interface Actor {
  actor: string;
  userId: number | null;
  ip: string | null;
}

export interface AuthenticatedSupplier {
  id: number;
  name: string;
  icbCodes: string[];
}

export interface SupplierListing {
  id: number;
  name: string;
  tokenHint: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  icbCodes: string[];
}

export class SupplierError extends Error {}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._()&'-]{0,99}$/;

export function validateSupplierName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, " ");
  if (!NAME_PATTERN.test(name)) {
    throw new SupplierError("A supplier name is 1 to 100 letters, digits, spaces and . _ ( ) & ' -, starting with a letter or digit");
  }
  return name;
}

/** Adds a supplier and returns its token; the only time the token is ever available. */
export async function issueSupplier(
  db: Kysely<Database>,
  input: { name: string; icbCodes: string[] },
  by: Actor,
): Promise<{ id: number; name: string; token: string; tokenHint: string; icbCodes: string[] }> {
  const name = validateSupplierName(input.name);
  const icbCodes = [...new Set(input.icbCodes.map((c) => c.trim().toUpperCase()).filter(Boolean))].sort();
  if (icbCodes.length === 0) throw new SupplierError("Choose at least one ICB the supplier may report for");
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const tokenHint = `${token.slice(0, TOKEN_PREFIX.length + 4)}…`;
  return db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom("icbs").select("code").where("code", "in", icbCodes).execute();
    const missing = icbCodes.filter((c) => !known.some((k) => k.code === c));
    if (missing.length > 0) throw new SupplierError(`No such ICB: ${missing.join(", ")}`);
    const clash = await trx.selectFrom("suppliers").select("id").where("name", "=", name).executeTakeFirst();
    if (clash) throw new SupplierError(`A supplier called "${name}" already exists`);
    const { id } = await trx
      .insertInto("suppliers")
      .values({ name, token_hash: hashToken(token), token_hint: tokenHint, created_at: new Date().toISOString(), created_by: by.actor, revoked_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("supplier_icbs")
      .values(icbCodes.map((icb_code) => ({ supplier_id: id, icb_code })))
      .execute();
    await recordAudit(trx, { ...by, action: "supplier.issued", entityType: "supplier", entityId: String(id), detail: { name, icbCodes, tokenHint } });
    return { id, name, token, tokenHint, icbCodes };
  });
}

/** Revokes a supplier's token (by id or by name); its pushes are refused from then on. */
export async function revokeSupplier(db: Kysely<Database>, which: { id: number } | { name: string }, by: Actor): Promise<{ id: number; name: string }> {
  return db.transaction().execute(async (trx) => {
    let query = trx.selectFrom("suppliers").select(["id", "name", "revoked_at"]);
    query = "id" in which ? query.where("id", "=", which.id) : query.where("name", "=", which.name.trim());
    const supplier = await query.executeTakeFirst();
    if (!supplier) throw new SupplierError("No such supplier");
    if (supplier.revoked_at) throw new SupplierError(`The token of "${supplier.name}" was already revoked`);
    await trx.updateTable("suppliers").set({ revoked_at: new Date().toISOString() }).where("id", "=", supplier.id).execute();
    await recordAudit(trx, { ...by, action: "supplier.revoked", entityType: "supplier", entityId: String(supplier.id), detail: { name: supplier.name } });
    return { id: supplier.id, name: supplier.name };
  });
}

/** The supplier a bearer token belongs to, with its ICBs; null for a malformed, unknown or revoked token. */
export async function authenticateSupplier(db: Kysely<Database>, bearerToken: string | null | undefined): Promise<AuthenticatedSupplier | null> {
  if (!bearerToken || !TOKEN_PATTERN.test(bearerToken)) return null;
  const supplier = await db
    .selectFrom("suppliers")
    .select(["id", "name", "revoked_at"])
    .where("token_hash", "=", hashToken(bearerToken))
    .executeTakeFirst();
  if (!supplier || supplier.revoked_at) return null;
  const icbs = await db.selectFrom("supplier_icbs").select("icb_code").where("supplier_id", "=", supplier.id).orderBy("icb_code").execute();
  return { id: supplier.id, name: supplier.name, icbCodes: icbs.map((i) => i.icb_code) };
}

export async function listSuppliers(db: Kysely<Database>): Promise<SupplierListing[]> {
  const [suppliers, icbs] = await Promise.all([
    db.selectFrom("suppliers").select(["id", "name", "token_hint", "created_at", "created_by", "revoked_at"]).orderBy("name").execute(),
    db.selectFrom("supplier_icbs").select(["supplier_id", "icb_code"]).orderBy("icb_code").execute(),
  ]);
  return suppliers.map((s) => ({
    id: s.id,
    name: s.name,
    tokenHint: s.token_hint,
    createdAt: s.created_at,
    createdBy: s.created_by,
    revokedAt: s.revoked_at,
    icbCodes: icbs.filter((i) => i.supplier_id === s.id).map((i) => i.icb_code),
  }));
}
