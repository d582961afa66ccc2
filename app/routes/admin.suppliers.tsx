import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { issueSupplier, listSuppliers, revokeSupplier, SupplierError, type SupplierListing } from "~/services/suppliers.server";
import { requirePermission } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInstant } from "~/utils/format";
import type { FieldErrors } from "~/utils/forms";

/**
 * Suppliers that push availability (`POST /api/v1/availability`) and their tokens. Admins only. A token is shown
 * once, on the page that answers the POST that issued it (never in a URL, never stored); revoking stops it at once.
 */

export const meta: MetaFunction = () => [{ title: "Suppliers – ICB Access Monitor" }];

/** The page may show a token: never kept in a cache. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "manage:suppliers:any");
  const db = getDb();
  const [suppliers, icbs] = await Promise.all([listSuppliers(db), db.selectFrom("icbs").select(["code", "name"]).orderBy("name").execute()]);
  const url = new URL(request.url);
  return { suppliers, icbs, revoked: url.searchParams.get("revoked") };
}

const IssueSchema = z.object({
  name: z.string().trim().min(1, "Enter the supplier's name").max(100, "The name must be 100 characters or fewer"),
  icbCodes: z.array(z.string().trim().min(1)).min(1, "Select at least one ICB"),
});
const RevokeSchema = z.object({ supplierId: z.coerce.number().int().positive() });

type Result = { intent: "issue" | "revoke"; errors: FieldErrors; values?: { name: string; icbCodes: string[] }; issued?: { name: string; token: string; icbCodes: string[] } };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "manage:suppliers:any");
  const form = await request.formData();
  const intent = form.get("intent");
  const by = { actor: user.email, userId: user.id, ip: context.clientIp ?? null };
  const db = getDb();
  if (intent === "issue") {
    const values = { name: String(form.get("name") ?? ""), icbCodes: form.getAll("icb").map(String) };
    const parsed = IssueSchema.safeParse(values);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[issue.path[0] === "icbCodes" ? "icb" : "name"] ??= issue.message;
      return data<Result>({ intent, errors, values }, { status: 400 });
    }
    try {
      const issued = await issueSupplier(db, parsed.data, by);
      // The token is in this answer only (never in a URL; the page is never cached, see `headers`).
      return data<Result>({ intent, errors: {}, issued: { name: issued.name, token: issued.token, icbCodes: issued.icbCodes } });
    } catch (e) {
      if (e instanceof SupplierError) return data<Result>({ intent, errors: { [/ICB/.test(e.message) ? "icb" : "name"]: e.message }, values }, { status: 400 });
      throw e;
    }
  }
  if (intent === "revoke") {
    const parsed = RevokeSchema.safeParse({ supplierId: form.get("supplierId") });
    if (!parsed.success) return data<Result>({ intent, errors: { form: "Choose a supplier to revoke" } }, { status: 400 });
    try {
      const revoked = await revokeSupplier(db, { id: parsed.data.supplierId }, by);
      throw redirect(`/admin/suppliers?revoked=${encodeURIComponent(revoked.name)}`);
    } catch (e) {
      if (e instanceof SupplierError) return data<Result>({ intent, errors: { form: e.message } }, { status: 400 });
      throw e;
    }
  }
  return data<Result>({ intent: "issue", errors: { form: "Choose what to do" } }, { status: 400 });
}

export default function AdminSuppliers() {
  const { suppliers, icbs, revoked } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = result?.errors ?? {};
  const values = result?.values;
  const icbName = (code: string) => icbs.find((i) => i.code === code)?.name ?? code;
  const columns: DisplayColumn<SupplierListing>[] = [
    { key: "name", header: "Supplier", value: (r) => r.name },
    { key: "icbs", header: "May report for", value: (r) => r.icbCodes.join(" "), render: (r) => r.icbCodes.map(icbName).join(", ") },
    { key: "hint", header: "Token", value: (r) => r.tokenHint, render: (r) => <code>{r.tokenHint}</code> },
    { key: "created", header: "Issued", value: (r) => r.createdAt, render: (r) => `${formatInstant(r.createdAt)} by ${r.createdBy}` },
    {
      key: "revoked",
      header: "Status",
      value: (r) => (r.revokedAt ? `Revoked ${r.revokedAt}` : "Active"),
      render: (r) =>
        r.revokedAt ? (
          <>
            <strong className="nhsuk-tag nhsuk-tag--grey">Revoked</strong> {formatInstant(r.revokedAt)}
          </>
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="revoke" />
            <input type="hidden" name="supplierId" value={r.id} />
            <strong className="nhsuk-tag nhsuk-tag--green">Active</strong>{" "}
            <button className="nhsuk-button nhsuk-button--warning nhsuk-button--small nhsuk-u-margin-bottom-0" type="submit">
              Revoke<span className="nhsuk-u-visually-hidden"> the token of {r.name}</span>
            </button>
          </Form>
        ),
    },
  ];
  return (
    <>
      <ErrorSummary errors={errors} order={["name", "icb", "form"]} />
      {result?.issued ? (
        <NotificationBanner success heading={`Token issued for ${result.issued.name}`}>
          <p>Copy this token now and give it to the supplier securely. It is not stored and will not be shown again.</p>
          <p>
            <code data-testid="issued-token" style={{ wordBreak: "break-all" }}>
              {result.issued.token}
            </code>
          </p>
          <p>It may send availability for practices in: {result.issued.icbCodes.map(icbName).join(", ")}.</p>
        </NotificationBanner>
      ) : null}
      {revoked && !result ? (
        <NotificationBanner success heading={`Token of ${revoked} revoked`}>
          <p>Its pushes are refused from now on. Data it sent before stays.</p>
        </NotificationBanner>
      ) : null}
      <h1>Suppliers</h1>
      <p>
        Online consultation suppliers send availability to <code>POST /api/v1/availability</code> with a bearer token. Each token may report for
        practices in the ICBs chosen here, and is shown once, when issued.
      </p>
      <DataTable caption="Suppliers" columns={columns} rows={suppliers} rowKey={(r) => String(r.id)} empty={<p>No supplier tokens have been issued.</p>} />

      <h2>Issue a token</h2>
      {/* A fresh form after each token issued, so that it is not sent twice by mistake. */}
      <Form method="post" noValidate key={result?.issued?.name ?? "issue"}>
        <input type="hidden" name="intent" value="issue" />
        <div className={`nhsuk-form-group${errors.name ? " nhsuk-form-group--error" : ""}`}>
          <label className="nhsuk-label" htmlFor="name">
            Supplier name
          </label>
          <div className="nhsuk-hint" id="name-hint">
            Becomes the source of the availability it sends. Letters, digits, spaces and . _ ( ) &amp; &apos; -
          </div>
          {errors.name ? (
            <span className="nhsuk-error-message" id="name-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors.name}
            </span>
          ) : null}
          <input
            className={`nhsuk-input nhsuk-input--width-20${errors.name ? " nhsuk-input--error" : ""}`}
            id="name"
            name="name"
            type="text"
            spellCheck={false}
            defaultValue={values?.name ?? ""}
            aria-describedby={errors.name ? "name-hint name-error" : "name-hint"}
          />
        </div>
        <div className={`nhsuk-form-group${errors.icb ? " nhsuk-form-group--error" : ""}`}>
          <fieldset className="nhsuk-fieldset" aria-describedby={errors.icb ? "icb-hint icb-error" : "icb-hint"}>
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">ICBs it may report for</legend>
            <div className="nhsuk-hint" id="icb-hint">
              Select every ICB whose practices use this supplier.
            </div>
            {errors.icb ? (
              <span className="nhsuk-error-message" id="icb-error">
                <span className="nhsuk-u-visually-hidden">Error:</span> {errors.icb}
              </span>
            ) : null}
            <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
              {icbs.map((i, n) => (
                <div className="nhsuk-checkboxes__item" key={i.code}>
                  <input
                    className="nhsuk-checkboxes__input"
                    id={n === 0 ? "icb" : `icb-${i.code}`}
                    name="icb"
                    type="checkbox"
                    value={i.code}
                    defaultChecked={values?.icbCodes.includes(i.code) ?? false}
                  />
                  <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={n === 0 ? "icb" : `icb-${i.code}`}>
                    {i.name ?? i.code} ({i.code})
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <button className="nhsuk-button" type="submit" disabled={navigation.state === "submitting"}>
          Issue a token
        </button>
      </Form>
    </>
  );
}
