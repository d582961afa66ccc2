import type { IntervalCategory } from "../../db/schema";
import type { SegmentState } from "~/domain/compliance";
import { formatInteger } from "~/utils/format";
import { ScrollableTable } from "./ScrollableTable";

export interface TimelineSegmentView {
  offset: number;
  minutes: number;
  from: string;
  to: string;
  state: SegmentState;
  category: IntervalCategory | null;
  reasons: string[];
  pauseIds: number[];
}

const CORE_MINUTES = 630;
const TICKS = ["08:00", "10:00", "12:00", "14:00", "16:00", "18:30"];

export const SEGMENT_LABELS: Record<SegmentState, string> = {
  open: "Open",
  closed: "Closed",
  excepted: "Excepted",
  unknown: "No data",
};

export function categoryText(category: IntervalCategory | null): string {
  if (category === "clinical") return "clinical requests";
  if (category === "admin") return "admin requests";
  if (category === "all") return "all requests";
  return "";
}

function tickOffset(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m - 8 * 60;
}

/**
 * One core day, 08:00–18:30, as a horizontal bar of open, closed, excepted and no-data stretches (hidden from
 * assistive technology) and the same stretches in a table.
 */
export function DayTimeline({ segments, caption }: { segments: TimelineSegmentView[]; caption: string }) {
  return (
    <>
      <div className="app-timeline" aria-hidden="true">
        <div className="app-timeline__bar">
          {segments.map((s) => {
            const width = (s.minutes / CORE_MINUTES) * 100;
            return (
              <div
                key={s.offset}
                className={`app-timeline__segment app-seg--${s.state}`}
                style={{ width: `${width}%` }}
                title={`${s.from}–${s.to} ${SEGMENT_LABELS[s.state]}`}
              >
                {width >= 9 ? SEGMENT_LABELS[s.state] : null}
              </div>
            );
          })}
        </div>
        <div className="app-timeline__axis">
          {TICKS.map((t) => (
            <span key={t} className="app-timeline__tick" style={{ left: `${(tickOffset(t) / CORE_MINUTES) * 100}%` }}>
              {t}
            </span>
          ))}
        </div>
      </div>
      <ul className="app-legend" aria-hidden="true">
        {(["open", "closed", "excepted", "unknown"] as const).map((s) => (
          <li key={s}>
            <span className={`app-legend__swatch app-seg--${s}`} />
            {SEGMENT_LABELS[s]}
          </li>
        ))}
      </ul>
      <ScrollableTable caption={caption} captionStyle="small">
        <thead className="nhsuk-table__head">
          <tr>
            <th scope="col" className="nhsuk-table__header">
              From
            </th>
            <th scope="col" className="nhsuk-table__header">
              To
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Minutes
            </th>
            <th scope="col" className="nhsuk-table__header">
              State
            </th>
            <th scope="col" className="nhsuk-table__header">
              Details
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {segments.map((s) => (
            <tr key={s.offset} className="nhsuk-table__row">
              <td className="nhsuk-table__cell">{s.from}</td>
              <td className="nhsuk-table__cell">{s.to}</td>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(s.minutes)}</td>
              <td className="nhsuk-table__cell">{SEGMENT_LABELS[s.state]}</td>
              <td className="nhsuk-table__cell">
                {[
                  s.category ? `Closed to ${categoryText(s.category)}` : null,
                  s.reasons.length ? `Reason: ${s.reasons.join("; ")}` : null,
                  s.pauseIds.length ? `Approved pause ${s.pauseIds.map((id) => `#${id}`).join(", ")}` : null,
                  s.state === "unknown" ? "Neither compliant nor a breach" : null,
                ]
                  .filter(Boolean)
                  .join(". ")}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollableTable>
    </>
  );
}
