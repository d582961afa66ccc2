import type { LoaderFunctionArgs } from "@remix-run/node";
import { renderNoticeHtml } from "~/domain/notice-document";
import { CaseError } from "~/services/cases.server";
import { getNoticeForIcb, getNoticeForPractice } from "~/services/notices.server";
import { audit } from "~/utils/auth.server";
import { actorOf, requireNotice } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { forbidden, notFound } from "~/utils/http.server";

/**
 * A notice as a print-ready page (A4), the same document as the DOCX: the ICB any version (`?version=N`), the
 * practice's own manager only the version it was issued. Its one inline style carries the request's CSP nonce.
 * Audit-logged as a download.
 */

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const g = await requireNotice(request, params.caseId, params.noticeId);
  const forPractice = g.user.role === "practice";
  const asked = new URL(request.url).searchParams.get("version");
  const version = !forPractice && asked && /^[1-9]\d{0,4}$/.test(asked) ? Number(asked) : undefined;
  const db = getDb();
  const actor = actorOf(g.user, context);
  const view = await (forPractice ? getNoticeForPractice(db, actor, g.noticeId) : getNoticeForIcb(db, actor, g.noticeId, version)).catch((e: unknown) => {
    if (e instanceof CaseError) throw e.status === 403 ? forbidden() : notFound();
    throw e;
  });
  await audit(g.user, context, {
    action: "notice.downloaded",
    entityType: "notice",
    entityId: String(g.noticeId),
    detail: { caseId: g.caseId, format: "print", version: view.version },
  });
  return new Response(renderNoticeHtml(view.document, { nonce: context.cspNonce }), {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "private, no-store",
    },
  });
}
