import { Form, Link, NavLink } from "@remix-run/react";
import type { Role } from "../../db/schema";

export interface HeaderUser {
  name: string;
  email: string;
  role: Role;
  roleLabel: string;
  scopeLabel: string | null;
  icbCode: string | null;
  practiceCode: string | null;
}

export const SERVICE_NAME = "ICB Access Monitor";

function NhsLogo() {
  return (
    <svg
      className="nhsuk-header__logo"
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 200 80"
      height="40"
      width="100"
      focusable="false"
      role="img"
      aria-label="NHS"
    >
      <title>NHS</title>
      <path
        fill="currentcolor"
        d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"
      />
    </svg>
  );
}

export interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

export function navigationFor(user: HeaderUser | null): NavItem[] {
  if (!user) return [];
  if (user.role === "icb" && user.icbCode) {
    const base = `/icb/${user.icbCode}`;
    return [
      { to: base, label: "ICB overview", end: true },
      { to: `${base}/practices`, label: "Practices" },
      { to: `${base}/compliance`, label: "Compliance" },
      { to: `${base}/demand`, label: "Demand" },
      { to: `${base}/pauses`, label: "Pause requests" },
      { to: `${base}/cases`, label: "Cases" },
      { to: `${base}/settings`, label: "Settings" },
    ];
  }
  if (user.role === "practice" && user.practiceCode) {
    return [
      { to: `/practices/${user.practiceCode}`, label: "My practice", end: true },
      { to: `/practices/${user.practiceCode}/compliance`, label: "Compliance" },
      { to: `/practices/${user.practiceCode}/demand`, label: "Demand" },
      { to: `/practices/${user.practiceCode}/pauses`, label: "Pauses" },
      { to: `/practices/${user.practiceCode}/cases`, label: "Cases" },
    ];
  }
  return [
    { to: "/admin", label: "ICBs", end: true },
    { to: "/admin/imports", label: "Imports" },
    { to: "/admin/suppliers", label: "Suppliers" },
    { to: "/admin/audit", label: "Audit log" },
  ];
}

export function Header({ user }: { user: HeaderUser | null }) {
  const nav = navigationFor(user);
  return (
    <header className="nhsuk-header" data-module="nhsuk-header" role="banner">
      <div className="nhsuk-header__container nhsuk-width-container app-width-container">
        <div className="nhsuk-header__service">
          <Link className="nhsuk-header__service-logo" to="/" aria-label={`${SERVICE_NAME} homepage`}>
            <NhsLogo />
            <span className="nhsuk-header__service-name">{SERVICE_NAME}</span>
          </Link>
        </div>
        {user ? (
          <nav className="nhsuk-header__account" aria-label="Account">
            <ul className="nhsuk-header__account-list">
              <li className="nhsuk-header__account-item" data-testid="signed-in-user">
                <svg
                  className="nhsuk-icon nhsuk-icon--user"
                  xmlns="http://www.w3.org/2000/svg"
                  viewBox="0 0 24 24"
                  width="16"
                  height="16"
                  focusable="false"
                  aria-hidden="true"
                >
                  <path d="M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z" />
                </svg>
                {user.name}
              </li>
              <li className="nhsuk-header__account-item" data-testid="signed-in-role">
                {user.roleLabel}
                {user.scopeLabel ? `, ${user.scopeLabel}` : ""}
              </li>
              <li className="nhsuk-header__account-item">
                <Link className="nhsuk-header__account-link" to="/account">
                  Your account
                </Link>
              </li>
              <li className="nhsuk-header__account-item">
                <Form className="nhsuk-header__account-form" action="/logout" method="post">
                  <button className="nhsuk-header__account-button" type="submit">
                    Sign out
                  </button>
                </Form>
              </li>
            </ul>
          </nav>
        ) : null}
      </div>
      {nav.length > 0 ? (
        <nav className="nhsuk-header__navigation" aria-label="Menu">
          <div className="nhsuk-header__navigation-container nhsuk-width-container app-width-container">
            <ul className="nhsuk-header__navigation-list">
              {nav.map((item) => (
                <li className="nhsuk-header__navigation-item" key={item.to}>
                  <NavLink
                    className="nhsuk-header__navigation-link"
                    to={item.to}
                    end={item.end}
                  >
                    {item.label}
                  </NavLink>
                </li>
              ))}
              <li className="nhsuk-header__menu" hidden>
                <button className="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false">
                  <span className="nhsuk-u-visually-hidden">Browse </span>More
                </button>
              </li>
            </ul>
          </div>
        </nav>
      ) : null}
    </header>
  );
}

export function Footer() {
  return (
    <footer className="nhsuk-footer" role="contentinfo">
      <div className="nhsuk-width-container app-width-container">
        <div className="nhsuk-footer__meta">
          <h2 className="nhsuk-u-visually-hidden">Support links</h2>
          <ul className="nhsuk-footer__list">
            <li className="nhsuk-footer__list-item">
              <Link className="nhsuk-footer__list-item-link" to="/about">
                About this service and its data
              </Link>
            </li>
          </ul>
          <p className="nhsuk-body-s">
            {SERVICE_NAME}. Data: NHS England and NHS England Digital publications, ODS, and suppliers&apos; logs.
          </p>
        </div>
      </div>
    </footer>
  );
}
