import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { DemoTag } from "~/components/StatusTag";
import { CURRENT_STATUSES } from "~/queries/practices.server";
import { requirePermission } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "ICBs – ICB Access Monitor" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:icb:any");
  const icbs = await getDb()
    .selectFrom("icbs")
    .leftJoin("regions", "regions.code", "icbs.region_code")
    .leftJoin("practices", (join) => join.onRef("practices.icb_code", "=", "icbs.code").on("practices.status", "in", CURRENT_STATUSES))
    .select(["icbs.code", "icbs.name", "icbs.is_demo", "regions.name as region_name"])
    .select((eb) => eb.fn.count<number>("practices.ods_code").as("practices"))
    .groupBy(["icbs.code", "icbs.name", "icbs.is_demo", "regions.name"])
    .orderBy("icbs.name")
    .execute();
  return { icbs: icbs.map((i) => ({ ...i, practices: Number(i.practices) })) };
}

type IcbRow = ReturnType<typeof useLoaderData<typeof loader>>["icbs"][number];

export default function AdminHome() {
  const { icbs } = useLoaderData<typeof loader>();
  const columns: DisplayColumn<IcbRow>[] = [
    {
      key: "name",
      header: "ICB",
      value: (r) => r.name ?? r.code,
      render: (r) => (
        <>
          <Link to={`/icb/${r.code}`}>{r.name ?? r.code}</Link> {r.is_demo ? <DemoTag /> : null}
        </>
      ),
    },
    { key: "code", header: "Code", value: (r) => r.code },
    { key: "region", header: "Region", value: (r) => r.region_name },
    { key: "practices", header: "Current practices", value: (r) => r.practices, numeric: true, render: (r) => formatInteger(r.practices) },
  ];
  return (
    <>
      <h1>Integrated care boards</h1>
      <p>
        Every ICB with practices in the imported data. See the <Link to="/admin/imports">import log</Link> for where the data came from.
      </p>
      <DataTable caption="Integrated care boards" columns={columns} rows={icbs} rowKey={(r) => r.code} empty={<p>No data has been imported yet.</p>} />
    </>
  );
}
