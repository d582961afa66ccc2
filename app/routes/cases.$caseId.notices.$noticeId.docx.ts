import type { LoaderFunctionArgs } from "@remix-run/node";
import { CaseError } from "~/services/cases.server";
import { noticeDocx } from "~/services/notices.server";
import { audit } from "~/utils/auth.server";
import { actorOf, requireNotice } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { forbidden, notFound } from "~/utils/http.server";

/**
 * A notice as a Word document (`.docx`), for whoever may see it: the ICB any version (`?version=N`, else the
 * current one), the practice's own manager only the version it was issued. Downloads are audit-logged.
 */

const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const g = await requireNotice(request, params.caseId, params.noticeId);
  const forPractice = g.user.role === "practice";
  const asked = new URL(request.url).searchParams.get("version");
  const version = !forPractice && asked && /^[1-9]\d{0,4}$/.test(asked) ? Number(asked) : undefined;
  const file = await noticeDocx(getDb(), actorOf(g.user, context), g.noticeId, { forPractice, version }).catch((e: unknown) => {
    if (e instanceof CaseError) throw e.status === 403 ? forbidden() : notFound();
    throw e;
  });
  await audit(g.user, context, {
    action: "notice.downloaded",
    entityType: "notice",
    entityId: String(g.noticeId),
    detail: { caseId: g.caseId, format: "docx", version: version ?? null, fileName: file.fileName },
  });
  return new Response(new Uint8Array(file.bytes), {
    headers: {
      "Content-Type": DOCX_TYPE,
      "Content-Disposition": `attachment; filename="${file.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "Content-Length": String(file.bytes.byteLength),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
