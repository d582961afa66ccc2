import { describe, expect, it } from "vitest";
import { csvCell, sortRows, toCsv, type Column } from "~/utils/table";

interface Row {
  code: string;
  name: string;
  size: number | null;
}
const columns: Column<Row>[] = [
  { key: "code", header: "ODS code", value: (r) => r.code },
  { key: "name", header: "Practice", value: (r) => r.name },
  { key: "size", header: "Registered patients", value: (r) => r.size, numeric: true },
];
const rows: Row[] = [
  { code: "B2", name: "Beta, Surgery", size: 900 },
  { code: "A1", name: 'The "Alpha" Practice', size: null },
  { code: "C3", name: "=HYPERLINK(\"x\")", size: 12000 },
];

describe("tables as CSV", () => {
  it("writes the header and every row, quoting commas and quotes", () => {
    expect(toCsv(columns, rows)).toBe(
      'ODS code,Practice,Registered patients\r\nB2,"Beta, Surgery",900\r\nA1,"The ""Alpha"" Practice",\r\nC3,"\'=HYPERLINK(""x"")",12000\r\n',
    );
  });

  it("defuses spreadsheet formulas in text but leaves numbers alone", () => {
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("-5 days")).toBe("'-5 days");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
  });

  it("sorts numbers as numbers with blanks last in both directions", () => {
    expect(sortRows(rows, columns, "size", "asc").map((r) => r.code)).toEqual(["B2", "C3", "A1"]);
    expect(sortRows(rows, columns, "size", "desc").map((r) => r.code)).toEqual(["C3", "B2", "A1"]);
    expect(sortRows(rows, columns, "nonsense", "asc").map((r) => r.code)).toEqual(["B2", "A1", "C3"]);
  });
});
