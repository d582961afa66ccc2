import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { DemoTag, StatusTag, statusLabel } from "~/components/StatusTag";
import { icbPcns, latestListMonth, listIcbPractices, type IcbPracticeRow } from "~/queries/practices.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { formatInteger, formatMonth } from "~/utils/format";
import { csvResponse, sortRows, toCsv, withParams, type Column, type SortDirection } from "~/utils/table";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Practices – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

/** The columns, once: the page shows them and the CSV holds them. */
function columnsFor(month: string | null): Column<IcbPracticeRow>[] {
  return [
    { key: "code", header: "ODS code", value: (r) => r.ods_code },
    { key: "name", header: "Practice", value: (r) => r.name },
    { key: "pcn", header: "PCN", value: (r) => r.pcn_name ?? r.pcn_code },
    { key: "pcn_code", header: "PCN code", value: (r) => r.pcn_code },
    { key: "sub_icb", header: "Sub-ICB location", value: (r) => r.sub_icb_code },
    { key: "patients", header: `Registered patients${month ? ` (${formatMonth(month)})` : ""}`, value: (r) => r.patients, numeric: true },
    { key: "status", header: "Status", value: (r) => statusLabel(r.status) },
  ];
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const url = new URL(request.url);
  const pcn = url.searchParams.get("pcn") || null;
  const includeNotCurrent = url.searchParams.get("show") === "all";
  const sortKey = url.searchParams.get("sort") ?? "name";
  const dir: SortDirection = url.searchParams.get("dir") === "desc" ? "desc" : "asc";

  const month = await latestListMonth(icb.code);
  const columns = columnsFor(month);
  const rows = sortRows(await listIcbPractices(icb.code, { month, pcn, includeNotCurrent }), columns, sortKey, dir);

  if (url.searchParams.get("format") === "csv") {
    return csvResponse(`${icb.code}-practices${pcn ? `-${pcn}` : ""}.csv`, toCsv(columns, rows));
  }
  return { icb, month, rows, pcns: await icbPcns(icb.code), filter: { pcn, includeNotCurrent }, sort: { key: sortKey, dir } };
}

export default function IcbPractices() {
  const { icb, month, rows, pcns, filter, sort } = useLoaderData<typeof loader>();
  const base = columnsFor(month);
  const render: Record<string, (r: IcbPracticeRow) => React.ReactNode> = {
    name: (r) => (
      <>
        <Link to={`/practices/${r.ods_code}`}>{r.name}</Link> {r.is_demo ? <DemoTag /> : null}
      </>
    ),
    patients: (r) => formatInteger(r.patients),
    status: (r) => <StatusTag status={r.status} />,
  };
  const columns: DisplayColumn<IcbPracticeRow>[] = base.map((c) => ({ ...c, render: render[c.key] }));
  const search = new URLSearchParams();
  if (filter.pcn) search.set("pcn", filter.pcn);
  if (filter.includeNotCurrent) search.set("show", "all");
  search.set("sort", sort.key);
  search.set("dir", sort.dir);
  const csvHref = `${withParams(search.toString(), { format: "csv" })}`;
  return (
    <>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Practices</h1>
      <Form method="get" className="app-filter-bar">
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="pcn">
            Primary care network
          </label>
          <select className="nhsuk-select" id="pcn" name="pcn" defaultValue={filter.pcn ?? ""}>
            <option value="">All PCNs</option>
            {pcns.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name ?? p.code}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
            <div className="nhsuk-checkboxes__item">
              <input className="nhsuk-checkboxes__input" id="show" name="show" type="checkbox" value="all" defaultChecked={filter.includeNotCurrent} />
              <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="show">
                Include closed and dormant practices
              </label>
            </div>
          </div>
        </div>
        <input type="hidden" name="sort" value={sort.key} />
        <input type="hidden" name="dir" value={sort.dir} />
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Apply filters
        </button>
      </Form>
      <p>
        {rows.length} {rows.length === 1 ? "practice" : "practices"}
        {filter.pcn ? ` in ${pcns.find((p) => p.code === filter.pcn)?.name ?? filter.pcn}` : ""}
        {filter.includeNotCurrent ? ", including closed and dormant ones" : ""}.
        {month ? ` List sizes are from Patients Registered at a GP Practice, ${formatMonth(month)}.` : " No list sizes have been imported."}
      </p>
      <DataTable
        caption={`Practices in ${icb.name ?? icb.code}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.ods_code}
        sort={{ key: sort.key, dir: sort.dir }}
        csvHref={csvHref}
      />
    </>
  );
}
