import { describeWeekly } from "~/domain/compliance-report";

/**
 * A tiny line of weekly closed minutes (oldest first). The drawing is hidden from assistive technology; the same
 * numbers follow as (visually hidden) text and are in the CSV. Weeks with no data are grey dots on the baseline,
 * not a line at zero: no data is not "no closures".
 */
export function Sparkline({ values, width = 96, height = 24 }: { values: readonly (number | null)[]; width?: number; height?: number }) {
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const x = (i: number) => 2 + i * step;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  // Lines join consecutive weeks with data; a week without data breaks the line.
  const runs: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) runs.push(current.join(" "));
      current = [];
    } else current.push(`${current.length ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length) runs.push(current.join(" "));
  return (
    <>
      <svg className="app-sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
        {runs.map((d, i) => (
          <path key={i} className="app-sparkline__line" d={d} />
        ))}
        {values.map((v, i) => {
          if (v === null) return <circle key={i} className="app-sparkline__nodata" cx={x(i)} cy={height - 2} r={1.5} />;
          // A week with data between weeks without has no line to sit on: mark it with a dot.
          const isolated = (i === 0 || values[i - 1] === null) && (i === values.length - 1 || values[i + 1] === null);
          return isolated ? <circle key={i} className="app-sparkline__point" cx={x(i)} cy={y(v)} r={1.5} /> : null;
        })}
      </svg>
      <span className="nhsuk-u-visually-hidden">{describeWeekly(values)}</span>
    </>
  );
}
