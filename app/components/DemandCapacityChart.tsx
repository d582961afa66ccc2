import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger, formatMonth, formatMonthShort } from "~/utils/format";
import { ClientOnly } from "./ClientOnly";
import { ScrollableTable } from "./ScrollableTable";
import { formatFixed } from "~/utils/format";

export interface DemandCapacityPoint {
  month: string;
  submissions: number | null;
  appointments: number | null;
  ratio: number | null;
}

const ratioText = (r: number | null) => formatFixed(r, 2);

/** Online submissions (demand) and appointments (capacity) per month, and their ratio, with the figures in a table. */
export function DemandCapacityChart({ points }: { points: DemandCapacityPoint[] }) {
  if (points.length === 0) return <p>No online consultation submissions or appointments have been imported for this practice.</p>;
  return (
    <>
      <div className="app-chart" aria-hidden="true">
        <ClientOnly>
          {() => (
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={points} margin={{ top: 8, right: 24, bottom: 8, left: 16 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="month" tickFormatter={formatMonthShort} minTickGap={16} />
                <YAxis tickFormatter={(v: number) => formatInteger(v)} width={72} />
                <Tooltip formatter={(v) => formatInteger(Number(v))} labelFormatter={(l) => formatMonth(String(l))} />
                <Legend />
                <Bar dataKey="submissions" name="Online submissions" fill="#d5281b" isAnimationActive={false} />
                <Bar dataKey="appointments" name="Appointments" fill="#005eb8" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </ClientOnly>
      </div>
      <ScrollableTable caption="Online submissions and appointments by month" captionStyle="small">
        <thead className="nhsuk-table__head">
          <tr>
            <th scope="col" className="nhsuk-table__header">
              Month
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Online submissions
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Appointments
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Submissions per appointment
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {points.map((p) => (
            <tr key={p.month} className="nhsuk-table__row">
              <th scope="row" className="nhsuk-table__cell app-nowrap">
                {formatMonth(p.month)}
              </th>
              <td className="nhsuk-table__cell app-numeric">{p.submissions === null ? "Not published" : formatInteger(p.submissions)}</td>
              <td className="nhsuk-table__cell app-numeric">{p.appointments === null ? "Not published" : formatInteger(p.appointments)}</td>
              <td className="nhsuk-table__cell app-numeric">{ratioText(p.ratio)}</td>
            </tr>
          ))}
        </tbody>
      </ScrollableTable>
    </>
  );
}
