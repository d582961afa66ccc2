import { useEffect, useRef } from "react";

/** The NHS error summary: focused when it appears, each error linking to its field (`field~2`: a second error of `field`). */
export function ErrorSummary({ errors, order }: { errors: Record<string, string>; order?: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const keys = (order ?? Object.keys(errors)).filter((k) => errors[k]);
  useEffect(() => {
    if (keys.length > 0) ref.current?.focus();
  }, [keys.length]);
  if (keys.length === 0) return null;
  return (
    <div className="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabIndex={-1} ref={ref}>
      <h2 className="nhsuk-error-summary__title" id="error-summary-title">
        There is a problem
      </h2>
      <div className="nhsuk-error-summary__body">
        <ul className="nhsuk-list nhsuk-error-summary__list">
          {keys.map((k) => (
            <li key={k}>
              <a href={`#${k.split("~")[0]}`}>{errors[k]}</a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
