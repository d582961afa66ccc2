import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { requirePermission } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInstant, formatInteger } from "~/utils/format";
import { csvResponse, toCsv, type Column } from "~/utils/table";

export const meta: MetaFunction = () => [{ title: "Imports – ICB Access Monitor" }];

const Warnings = z.array(z.object({ message: z.string(), count: z.number() }));

const PAGE_SIZE = 200;

interface ImportRow {
  id: number;
  source: string;
  file_name: string;
  file_hash: string;
  file_bytes: number;
  finished_at: string;
  actor: string;
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  notes: string;
}

const COLUMNS: Column<ImportRow>[] = [
  { key: "id", header: "Import", value: (r) => r.id, numeric: true },
  { key: "source", header: "Source", value: (r) => r.source },
  { key: "file", header: "File", value: (r) => r.file_name },
  { key: "finished", header: "Imported at", value: (r) => r.finished_at },
  { key: "by", header: "By", value: (r) => r.actor },
  { key: "read", header: "Rows read", value: (r) => r.rows_read, numeric: true },
  { key: "inserted", header: "Inserted", value: (r) => r.rows_inserted, numeric: true },
  { key: "updated", header: "Updated", value: (r) => r.rows_updated, numeric: true },
  { key: "unchanged", header: "Unchanged", value: (r) => r.rows_unchanged, numeric: true },
  { key: "rejected", header: "Not loaded", value: (r) => r.rows_rejected, numeric: true },
  { key: "notes", header: "Notes", value: (r) => r.notes },
  { key: "hash", header: "SHA-256", value: (r) => r.file_hash },
];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:imports:any");
  const url = new URL(request.url);
  const csv = url.searchParams.get("format") === "csv";
  let query = getDb().selectFrom("import_log").selectAll().orderBy("id", "desc");
  if (!csv) query = query.limit(PAGE_SIZE);
  const rows: ImportRow[] = (await query.execute()).map((r) => ({
    ...r,
    notes: Warnings.parse(JSON.parse(r.warnings))
      .map((w) => `${w.message} (${w.count})`)
      .join("; "),
  }));
  if (csv) return csvResponse("imports.csv", toCsv(COLUMNS, rows));
  const total = await getDb().selectFrom("import_log").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export default function AdminImports() {
  const { rows, total } = useLoaderData<typeof loader>();
  const render: Partial<Record<string, (r: ImportRow) => React.ReactNode>> = {
    finished: (r) => <span className="app-nowrap">{formatInstant(r.finished_at)}</span>,
    read: (r) => formatInteger(r.rows_read),
    inserted: (r) => formatInteger(r.rows_inserted),
    updated: (r) => formatInteger(r.rows_updated),
    unchanged: (r) => formatInteger(r.rows_unchanged),
    rejected: (r) => formatInteger(r.rows_rejected),
    hash: (r) => <code title={r.file_hash}>{r.file_hash.slice(0, 12)}…</code>,
  };
  const columns: DisplayColumn<ImportRow>[] = COLUMNS.map((c) => ({ ...c, render: render[c.key] }));
  return (
    <>
      <h1>Imports</h1>
      <p>
        Every file imported, newest first ({formatInteger(total)} in all{total > rows.length ? `; the latest ${rows.length} shown, all in the CSV` : ""}). A file
        that was refused changed nothing and is not listed; importing the same file again is skipped.
      </p>
      <DataTable caption="Imported files" columns={columns} rows={rows} rowKey={(r) => String(r.id)} csvHref="?format=csv" empty={<p>Nothing has been imported yet.</p>} />
    </>
  );
}
