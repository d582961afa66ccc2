import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ListSizeChart } from "~/components/ListSizeChart";
import { DemoTag, StatusTag } from "~/components/StatusTag";
import { listSizeHistory, practiceDetail } from "~/queries/practices.server";
import { requirePracticeAccess } from "~/utils/auth.server";
import { formatDate, formatInteger, formatMonth } from "~/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.practice.name ?? "Practice"} – ICB Access Monitor` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const [detail, history] = await Promise.all([practiceDetail(practice.ods_code), listSizeHistory(practice.ods_code)]);
  return {
    practice: detail,
    history,
    // Commissioners and admins may go back to the ICB; a practice manager has no ICB pages.
    icbLink: user.role !== "practice" && detail.icb_code ? `/icb/${detail.icb_code}/practices` : null,
  };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}

export default function PracticePage() {
  const { practice: p, history, icbLink } = useLoaderData<typeof loader>();
  const latest = history.at(-1);
  const address = [p.address_line1, p.address_line2, p.address_line3, p.address_line4, p.address_line5, p.postcode].filter(Boolean);
  return (
    <>
      {icbLink ? (
        <div className="nhsuk-back-link">
          <Link className="nhsuk-back-link__link" to={icbLink}>
            Back to practices in {p.icb_name ?? p.icb_code}
          </Link>
        </div>
      ) : null}
      <span className="nhsuk-caption-l">{p.ods_code}</span>
      <h1>
        {p.name} {p.is_demo ? <DemoTag /> : null}
      </h1>
      {p.status === "closed" || p.status === "dormant" ? (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>
            This practice is {p.status === "closed" ? `closed${p.close_date ? ` (since ${formatDate(p.close_date)})` : ""}` : "dormant"} in the
            ODS data. It is left out of current lists.
          </p>
        </div>
      ) : null}
      <dl className="nhsuk-summary-list">
        <Row label="Status">
          <StatusTag status={p.status} />
        </Row>
        <Row label="Address">
          {address.length ? address.map((line, i) => <span key={i} className="app-block">{line}{i < address.length - 1 ? <br /> : null}</span>) : "Not known"}
        </Row>
        <Row label="Telephone">{p.phone ?? "Not known"}</Row>
        <Row label="Contract type">{p.contract_type ?? "Not recorded"}</Row>
        <Row label="Opened">{p.open_date ? formatDate(p.open_date) : "Not known"}</Row>
        {p.close_date ? <Row label="Closed">{formatDate(p.close_date)}</Row> : null}
        <Row label="Primary care network">{p.pcn_code ? `${p.pcn_name ?? ""} (${p.pcn_code})` : "None recorded"}</Row>
        <Row label="Sub-ICB location">{p.sub_icb_code ? `${p.sub_icb_name ?? ""} (${p.sub_icb_code})` : "Not known"}</Row>
        <Row label="ICB">{p.icb_code ? `${p.icb_name ?? ""} (${p.icb_code})` : "Not known"}</Row>
        <Row label="NHS England region">{p.region_code ? `${p.region_name ?? ""} (${p.region_code})` : "Not known"}</Row>
        <Row label="Registered patients">
          {latest ? `${formatInteger(latest.patients)} (${formatMonth(latest.month)})` : "No list size imported"}
        </Row>
      </dl>
      <p>
        <Link className="nhsuk-action-link__link" to={`/practices/${p.ods_code}/compliance`}>
          Core hours compliance: when the online consultation tool was open or closed
        </Link>
      </p>
      <p>
        <Link className="nhsuk-action-link__link" to={`/practices/${p.ods_code}/demand`}>
          Demand and capacity: online requests, appointments, staff and calls against peers
        </Link>
      </p>
      <h2>Registered patients over time</h2>
      <p>From NHS England&apos;s Patients Registered at a GP Practice, counted on the first day of each month.</p>
      <ListSizeChart points={history} />
    </>
  );
}
