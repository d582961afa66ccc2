import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_BODY_BYTES, parsePushBody } from "~/domain/availability-push";
import { DatabaseBusyError } from "../../db/waiting-driver";
import { pushAvailability } from "~/services/availability-push.server";
import { authenticateSupplier } from "~/services/suppliers.server";
import { getDb } from "~/utils/db.server";

/**
 * `POST /api/v1/availability`: suppliers push availability events (docs/formats/availability.md). A resource
 * route: JSON in, JSON out, a bearer token instead of a session. Every refusal changes nothing.
 */

const REALM = 'Bearer realm="ICB Access Monitor"';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** The body, or null when it is larger than the limit (reading stops there). */
async function readCapped(request: Request, limit: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const tooLarge = () => json(413, { error: `The body is larger than ${MAX_BODY_BYTES} bytes (1 MB); send fewer events per request`, details: [] });

export function loader() {
  return json(405, { error: "Use POST to send availability events", details: [] }, { Allow: "POST" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return json(405, { error: "Use POST to send availability events", details: [] }, { Allow: "POST" });

  const match = /^Bearer +([^\s]+) *$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return json(401, { error: "Send the supplier token as Authorization: Bearer <token>", details: [] }, { "WWW-Authenticate": REALM });
  const db = getDb();
  const supplier = await authenticateSupplier(db, match[1]);
  if (!supplier) {
    return json(401, { error: "The token is not valid (unknown or revoked)", details: [] }, { "WWW-Authenticate": `${REALM}, error="invalid_token"` });
  }

  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") return json(415, { error: "Send the body as application/json", details: [] }, { Accept: "application/json" });

  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) return tooLarge();
  const bytes = await readCapped(request, MAX_BODY_BYTES);
  if (!bytes) return tooLarge();

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message : "the body is not UTF-8 text";
    return json(400, { error: "The body is not valid JSON", details: [why] });
  }

  const parsed = parsePushBody(body, supplier.name);
  if (!parsed.ok) return json(parsed.status, { error: parsed.error, details: parsed.details });

  let outcome;
  try {
    outcome = await pushAvailability(db, supplier, parsed.events, parsed.repeats, { ip: context.clientIp ?? null });
  } catch (e) {
    // An import held the write lock for longer than DB_BUSY_WAIT_MS (ADR 18): nothing was stored; send it again.
    if (e instanceof DatabaseBusyError) {
      return json(503, { error: "The database is busy with an import; nothing was stored. Send the push again later", details: [] }, { "Retry-After": "60" });
    }
    throw e;
  }
  if (outcome.status === 201) return json(201, { accepted: outcome.accepted, duplicates: outcome.duplicates });
  return json(outcome.status, { error: outcome.error, details: outcome.details });
}
