import { useId, type ReactNode } from "react";

interface Props {
  /** The table's caption; it also names the scrolling region. */
  caption: ReactNode;
  /** How the caption shows: `hidden` (visually hidden, still read out) or `small` (nhsuk-table__caption--s). */
  captionStyle: "hidden" | "small";
  /** More classes for the table (e.g. `app-heatmap`). */
  className?: string;
  /** More classes for the scrolling wrapper (e.g. `nhsuk-details__text`). */
  wrapperClassName?: string;
  /** The table's `data-testid`. */
  "data-testid"?: string;
  /** The table's head, body and foot. */
  children: ReactNode;
}

/**
 * A compact NHS table in a wrapper that scrolls sideways when the table is wider than the page. A scrolling region
 * must be reachable by keyboard (WCAG 2.1.1), so the wrapper is focusable (`tabIndex={0}`, then the arrow keys
 * scroll it) and, being a stop in the tab order, is a named `region`: named by the table's caption, as in Heydon
 * Pickering's Inclusive Components, "Data Tables".
 */
export function ScrollableTable({ caption, captionStyle, className, wrapperClassName, "data-testid": testId, children }: Props) {
  const id = useId();
  return (
    // A focusable scrolling region is interactive (keyboard scrolling), and named: the rule does not know that.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div className={wrapperClassName ? `${wrapperClassName} app-table-wrapper` : "app-table-wrapper"} role="region" tabIndex={0} aria-labelledby={id}>
      <table className={className ? `nhsuk-table app-table--compact ${className}` : "nhsuk-table app-table--compact"} data-testid={testId}>
        <caption id={id} className={`nhsuk-table__caption ${captionStyle === "hidden" ? "nhsuk-u-visually-hidden" : "nhsuk-table__caption--s"}`}>
          {caption}
        </caption>
        {children}
      </table>
    </div>
  );
}
