import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { DemoTag } from "~/components/StatusTag";
import { icbPcns, latestListMonth, listIcbPractices } from "~/queries/practices.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { formatInteger, formatMonth } from "~/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const month = await latestListMonth(icb.code);
  const [all, pcns] = await Promise.all([listIcbPractices(icb.code, { month, includeNotCurrent: true }), icbPcns(icb.code)]);
  const current = all.filter((p) => p.status !== "closed" && p.status !== "dormant");
  const byPcn = new Map<string, number>();
  for (const p of current) if (p.pcn_code) byPcn.set(p.pcn_code, (byPcn.get(p.pcn_code) ?? 0) + (p.patients ?? 0));
  return {
    icb,
    month,
    counts: {
      current: current.length,
      dormant: all.filter((p) => p.status === "dormant").length,
      closed: all.filter((p) => p.status === "closed").length,
      patients: current.reduce((s, p) => s + (p.patients ?? 0), 0),
      withoutPcn: current.filter((p) => !p.pcn_code).length,
    },
    pcns: pcns.map((p) => ({ ...p, practices: Number(p.practices), patients: byPcn.get(p.code) ?? 0 })),
  };
}

type PcnRow = ReturnType<typeof useLoaderData<typeof loader>>["pcns"][number];

export default function IcbOverview() {
  const { icb, month, counts, pcns } = useLoaderData<typeof loader>();
  const columns: DisplayColumn<PcnRow>[] = [
    {
      key: "name",
      header: "PCN",
      value: (r) => r.name ?? r.code,
      render: (r) => <Link to={`/icb/${icb.code}/practices?pcn=${encodeURIComponent(r.code)}`}>{r.name ?? r.code}</Link>,
    },
    { key: "code", header: "PCN code", value: (r) => r.code },
    { key: "practices", header: "Practices", value: (r) => r.practices, numeric: true },
    { key: "patients", header: `Registered patients${month ? ` (${formatMonth(month)})` : ""}`, value: (r) => r.patients, numeric: true, render: (r) => formatInteger(r.patients) },
  ];
  return (
    <>
      <span className="nhsuk-caption-l">
        {icb.code}
        {icb.region_name ? ` · ${icb.region_name}` : ""}
      </span>
      <h1>
        {icb.name ?? icb.code} {icb.is_demo ? <DemoTag /> : null}
      </h1>
      <div className="app-summary-cards">
        <div className="app-summary-card">
          <span className="app-summary-card__value">{formatInteger(counts.current)}</span>
          <span className="app-summary-card__label">current practices</span>
        </div>
        <div className="app-summary-card">
          <span className="app-summary-card__value">{formatInteger(counts.patients)}</span>
          <span className="app-summary-card__label">registered patients{month ? `, ${formatMonth(month)}` : ""}</span>
        </div>
        <div className="app-summary-card">
          <span className="app-summary-card__value">{formatInteger(pcns.length)}</span>
          <span className="app-summary-card__label">primary care networks</span>
        </div>
        <div className="app-summary-card">
          <span className="app-summary-card__value">{formatInteger(counts.dormant + counts.closed)}</span>
          <span className="app-summary-card__label">
            dormant ({counts.dormant}) or closed ({counts.closed}) practices, not counted above
          </span>
        </div>
      </div>
      <p>
        <Link className="nhsuk-action-link__link" to={`/icb/${icb.code}/practices`}>
          See all {counts.current} practices, with list sizes and a CSV download
        </Link>
      </p>
      <p>
        <Link className="nhsuk-action-link__link" to={`/icb/${icb.code}/compliance`}>
          Core hours compliance: which practices closed their online consultation tool
        </Link>
      </p>
      <p>
        <Link className="nhsuk-action-link__link" to={`/icb/${icb.code}/demand`}>
          Demand and capacity: each practice&apos;s measures against its peers, and the suggested approach
        </Link>
      </p>
      <h2>Primary care networks</h2>
      {counts.withoutPcn > 0 ? <p>{counts.withoutPcn} current practices have no PCN in the practice map.</p> : null}
      <DataTable caption="Primary care networks in this ICB" columns={columns} rows={pcns} rowKey={(r) => r.code} />
    </>
  );
}
