import type { ReactNode } from "react";

/** The NHS notification banner; `success` after a change was made, otherwise important information. */
export function NotificationBanner({ success = false, title, heading, children }: { success?: boolean; title?: string; heading: ReactNode; children?: ReactNode }) {
  const id = success ? "success-banner-title" : "notification-banner-title";
  return (
    <div
      className={`nhsuk-notification-banner${success ? " nhsuk-notification-banner--success" : ""}`}
      role={success ? "alert" : "region"}
      aria-labelledby={id}
      data-module="nhsuk-notification-banner"
    >
      <div className="nhsuk-notification-banner__header">
        <h2 className="nhsuk-notification-banner__title" id={id}>
          {title ?? (success ? "Success" : "Important")}
        </h2>
      </div>
      <div className="nhsuk-notification-banner__content">
        <h3 className="nhsuk-notification-banner__heading">{heading}</h3>
        {children}
      </div>
    </div>
  );
}
