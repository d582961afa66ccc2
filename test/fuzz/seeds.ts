/**
 * One small, valid file for every importer (importers/index.ts), in its published layout: what the fuzzer mutates.
 * Each imports cleanly into an empty database with the options given (the options stand in for what a real file's
 * name would say, so that mutated contents are judged on their contents).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ImporterName } from "../../importers/index";

const FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/", import.meta.url));
const fixture = (name: string) => readFileSync(FIXTURES + name, "utf8");

export interface Seed {
  importer: ImporterName;
  fileName: string;
  content: string;
  options?: Record<string, unknown>;
}

const CRLF = "\r\n";
const lines = (rows: string[]) => rows.join(CRLF) + CRLF;

const OC_GEO = "U89141,STOCKTON PCN,16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire";

export const SEEDS: Seed[] = [
  { importer: "epraccur", fileName: "epraccur.csv", content: fixture("epraccur-current.csv") },
  { importer: "practice-map", fileName: "Mapping.csv", content: fixture("gpad-Mapping.csv") },
  { importer: "list-sizes", fileName: "gp-reg-pat-prac-all.csv", content: fixture("gp-reg-pat-prac-all-2026-04.csv") },
  {
    importer: "gpad-practice",
    fileName: "Practice_Level_Crosstab_Feb_26.csv",
    content: lines([
      "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS",
      "01FEB2026,A81001,THE DENSHAM SURGERY,TPP,U89141,STOCKTON PCN,16C,NHS North East and North Cumbria ICB - 16C,GP,Face-to-Face,General Consultation Routine,Same Day,100,Attended",
      "01FEB2026,A81001,THE DENSHAM SURGERY,TPP,U89141,STOCKTON PCN,16C,NHS North East and North Cumbria ICB - 16C,Other Practice staff,Telephone,General Consultation Routine,1 Day,40,Attended",
      "01FEB2026,A81001,THE DENSHAM SURGERY,TPP,U89141,STOCKTON PCN,16C,NHS North East and North Cumbria ICB - 16C,GP,Telephone,General Consultation Routine,2 to 7 Days,7,DNA",
      '01FEB2026,F83004,"SMITH, JONES AND PARTNERS",EMIS,U44001,CAMDEN CENTRAL PCN,93C,NHS North Central London ICB - 93C,GP,Face-to-Face,General Consultation Routine,Same Day,55,Attended',
    ]),
  },
  {
    importer: "availability",
    fileName: "availability.csv",
    content: lines([
      "practice_code,start,end,status,category,reason,source",
      "A81001,2026-03-02 08:00,2026-03-02 18:30,open,all,,acme",
      "A81001,2026-03-02 12:00,2026-03-02 13:00,closed,all,Capacity reached,acme",
      "A81001,2026-03-03T08:00:00Z,2026-03-03T18:30:00Z,open,clinical,,acme",
      "A81002,2026-03-03 08:00,2026-03-03 18:30,open,,,",
      "A81002,2026-03-04T08:00:00+00:00,2026-03-04T18:30:00+00:00,open,admin,,acme",
    ]),
  },
  {
    importer: "bank-holidays",
    fileName: "bank-holidays.json",
    content: JSON.stringify({
      "england-and-wales": {
        division: "england-and-wales",
        events: [
          { title: "New Year’s Day", date: "2031-01-01", notes: "", bunting: true },
          { title: "Good Friday", date: "2031-04-11", notes: "", bunting: false },
        ],
      },
      scotland: { division: "scotland", events: [] },
    }),
  },
  {
    importer: "cbt",
    fileName: "Cloud_Based_Telephony_By_Day_and_Time_Mar_26_Y63.csv",
    content: lines([
      "Date,REGION_CODE,ICB_CODE,SUB_ICB_LOCATION_CODE,PCN_CODE,PRACTICE_CODE,Indicator,Time_Category,Value",
      "2026-03-02,Y63,QHM,16C,U89141,A81001,CBT001,08:00-09:59,120",
      "2026-03-02,Y63,QHM,16C,U89141,A81001,CBT002,08:00-09:59,30",
      "2026-03-03,Y63,QHM,16C,U89141,A81001,CBT001,10:00-11:59,80",
      "2026-03-02,Y63,,,,Unassigned,CBT001,12:00-13:59,9",
    ]),
  },
  {
    importer: "oc-by-day-time",
    fileName: "oc-by-day-time.csv",
    content: lines([
      "DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL",
      `02/03/2026,Monday,08:00-08:59,A81001,"SURGERY A81001",SUPPLIER A,${OC_GEO},5,2,0,7`,
      `02/03/2026,Monday,09:00-09:59,A81001,"SURGERY A81001",SUPPLIER A,${OC_GEO},4,0,0,4`,
      `03/03/2026,Tuesday,13:00-13:59,Y02960,"SURGERY Y02960",SUPPLIER C,${OC_GEO},0,0,2,2`,
    ]),
  },
  {
    importer: "oc-submissions",
    fileName: "oc-submissions.csv",
    options: { publication: "2026-05" },
    content: lines([
      "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE",
      ...[
        ["OC_CAPABILITY", 1],
        ["OC_PARTICIPATION", 1],
        ["OC_SYSTEM_USAGE", 1],
        ["OC_TOTAL_SUBMISSIONS", 250],
        ["OC_SUBMISSION_TYPE_CLINICAL", 150],
        ["OC_SUBMISSION_TYPE_ADMIN", 60],
        ["OC_SUBMISSION_TYPE_OTHER", 40],
        ["PATIENTS_REGISTERED", 3747],
        ["OC_RATE_PER_1000_REGISTERED_PATIENTS", "66.7"],
      ].map(
        ([metric, value]) =>
          `01/04/2026,A81001,THE DENSHAM SURGERY,U89141,STOCKTON PCN,16C,NHS North East and North Cumbria ICB - 16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire,TPP,${metric},${value}`,
      ),
    ]),
  },
  {
    importer: "workforce",
    fileName: "workforce.csv",
    options: { month: "2026-07" },
    content:
      "\uFEFF" +
      lines([
        "PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE",
        ...[
          ["GP", "Partner/Provider", 2.5, 3],
          ["GP", "Total", 2.5, 3],
          ["Nurses", "Practice Nurse", 1.6, 2],
          ["Nurses", "Total", 1.6, 2],
          ["Direct Patient Care", "Pharmacist", 0.5, 1],
          ["Direct Patient Care", "Total", 0.5, 1],
          ["Admin/Non-Clinical", "Receptionists", 3.2, 5],
          ["Admin/Non-Clinical", "Total", 3.2, 5],
        ].flatMap(([group, role, fte, headcount]) => [
          `A81001,THE DENSHAM SURGERY,${group},${role},FTE,${fte}`,
          `A81001,THE DENSHAM SURGERY,${group},${role},Headcount,${headcount}`,
        ]),
      ]),
  },
];
