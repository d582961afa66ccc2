import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/DataTable";
import { PAUSE_STATUSES, pauseColumns, pauseDisplayColumns, pauseStatusLabel, type PauseTableRow } from "~/components/PauseTable";
import { minuteToLocal } from "~/domain/instants";
import { icbPauses } from "~/queries/pauses.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { csvResponse, toCsv, withParams } from "~/utils/table";
import type { PauseStatus } from "../../db/schema";

/** Every pause request from the ICB's practices, pending first; filter by status; the same table as CSV. */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Pause requests – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const url = new URL(request.url);
  const raw = url.searchParams.get("status");
  const status = PAUSE_STATUSES.includes(raw as PauseStatus) ? (raw as PauseStatus) : null;
  const rows: PauseTableRow[] = (await icbPauses(getDb(), icb.code, status)).map((r) => ({
    ...r,
    start_local: minuteToLocal(r.start_min),
    end_local: minuteToLocal(r.end_min),
  }));
  if (url.searchParams.get("format") === "csv") {
    return csvResponse(`${icb.code}-pause-requests${status ? `-${status}` : ""}.csv`, toCsv(pauseColumns(true), rows));
  }
  const pending = status === null || status === "pending" ? rows.filter((r) => r.status === "pending").length : null;
  return { icb: { code: icb.code, name: icb.name }, rows, status, pending };
}

export default function IcbPauses() {
  const { icb, rows, status, pending } = useLoaderData<typeof loader>();
  const search = new URLSearchParams();
  if (status) search.set("status", status);
  return (
    <>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Pause requests</h1>
      <p>
        Practices ask for a pause of their online consultation tool in exceptional circumstances. Open a practice to approve or decline its
        requests. An approved pause turns the closed minutes inside it into excepted minutes.
      </p>
      {pending !== null ? (
        <p data-testid="pending-count">
          {pending === 0 ? "No requests are waiting for a decision." : `${pending} ${pending === 1 ? "request is" : "requests are"} waiting for a decision.`}
        </p>
      ) : null}
      <Form method="get" className="app-filter-bar">
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="status">
            Status
          </label>
          <select className="nhsuk-select" id="status" name="status" defaultValue={status ?? ""}>
            <option value="">All statuses</option>
            {PAUSE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {pauseStatusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Apply filter
        </button>
      </Form>
      <DataTable
        caption={`Pause requests in ${icb.name ?? icb.code}`}
        columns={pauseDisplayColumns(true)}
        rows={rows}
        rowKey={(r) => String(r.id)}
        csvHref={withParams(search.toString(), { format: "csv" })}
        empty={<p>{status ? `No ${pauseStatusLabel(status).toLowerCase()} requests.` : "No practice in this ICB has asked for a pause."}</p>}
      />
    </>
  );
}
