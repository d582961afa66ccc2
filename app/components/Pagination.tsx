import { Link, useLocation } from "@remix-run/react";
import { pageNumbers, withParams, type PageInfo } from "~/utils/table";

const ARROW_LEFT =
  "M10.7 6.3c.4.4.4 1 0 1.4L7.4 11H19a1 1 0 0 1 0 2H7.4l3.3 3.3c.4.4.4 1 0 1.4a1 1 0 0 1-1.4 0l-5-5A1 1 0 0 1 4 12c0-.3.1-.5.3-.7l5-5a1 1 0 0 1 1.4 0Z";
const ARROW_RIGHT =
  "m14.7 6.3 5 5c.2.2.3.4.3.7 0 .3-.1.5-.3.7l-5 5a1 1 0 0 1-1.4-1.4l3.3-3.3H5a1 1 0 0 1 0-2h11.6l-3.3-3.3a1 1 0 1 1 1.4-1.4Z";

function Arrow({ d, name }: { d: string; name: string }) {
  return (
    <svg className={`nhsuk-icon nhsuk-icon--${name}`} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

/**
 * The NHS design system's numbered pagination (nhsuk-frontend v10) for a table paged on the server: links keep
 * every other query parameter (sort, filters, dates) and change only `page`. Nothing is shown for a single page.
 *
 * `anchor` is the id of the element the new page opens at (the table's heading), with or without JavaScript: the
 * pagination sits under the table, and keeping the scroll there would leave the reader at the end of the new rows.
 */
export function Pagination({ info, label, anchor }: { info: PageInfo; label: string; anchor?: string }) {
  const location = useLocation();
  if (info.pages <= 1) return null;
  const href = (p: number) => `${withParams(location.search, { page: p === 1 ? null : String(p) })}${anchor ? `#${anchor}` : ""}`;
  return (
    <nav className="nhsuk-pagination nhsuk-pagination--numbered" role="navigation" aria-label={label}>
      {info.page > 1 ? (
        <Link to={href(info.page - 1)} className="nhsuk-pagination__previous" rel="prev">
          <Arrow d={ARROW_LEFT} name="arrow-left" />
          <span className="nhsuk-pagination__title">
            Previous<span className="nhsuk-u-visually-hidden"> page</span>
          </span>
        </Link>
      ) : null}
      <ul className="nhsuk-pagination__list">
        {pageNumbers(info.page, info.pages).map((p, i) =>
          p === null ? (
            <li key={`gap-${i}`} className="nhsuk-pagination__item nhsuk-pagination__item--ellipsis">
              &ctdot;
            </li>
          ) : (
            <li key={p} className={`nhsuk-pagination__item${p === info.page ? " nhsuk-pagination__item--current" : ""}`}>
              <Link
                className="nhsuk-pagination__link"
                to={href(p)}
                aria-label={`Page ${p}`}
                aria-current={p === info.page ? "page" : undefined}
              >
                {p}
              </Link>
            </li>
          )
        )}
      </ul>
      {info.page < info.pages ? (
        <Link to={href(info.page + 1)} className="nhsuk-pagination__next" rel="next">
          <span className="nhsuk-pagination__title">
            Next<span className="nhsuk-u-visually-hidden"> page</span>
          </span>
          <Arrow d={ARROW_RIGHT} name="arrow-right" />
        </Link>
      ) : null}
    </nav>
  );
}
