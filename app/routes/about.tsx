import type { MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [{ title: "About – ICB Access Monitor" }];

export default function About() {
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <h1>About this service</h1>
        <p>
          Since 1 October 2025 the GP contract in England requires every practice to keep its online consultation tool open throughout core hours
          (08:00 to 18:30, Monday to Friday, except bank holidays) for non-urgent appointment requests, medication queries and admin requests.
        </p>
        <p>
          ICB Access Monitor helps integrated care boards and practices see the same evidence: practice reference data, online access availability and
          demand, set against capacity, so that support comes first and any formal step rests on facts both sides can check.
        </p>
        <h2>Where the data comes from</h2>
        <ul>
          <li>ODS epraccur: GP practices, their status and addresses.</li>
          <li>NHS England Digital, Patients Registered at a GP Practice: list sizes and the practice map (PCN, sub-ICB location, ICB, region).</li>
        </ul>
        <p>Demo organisations have codes starting DEM and are marked as demo data; they are not real.</p>
      </div>
    </div>
  );
}
