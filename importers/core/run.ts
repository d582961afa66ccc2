import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Kysely, Transaction } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import { ImportError } from "./errors";
import { openInput, type InputFile } from "./sources";

export interface ImportCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows read but not loaded by design (not a GP practice, an `Unassigned` row…); each reason is a warning. */
  rejected: number;
}

export interface Warning {
  message: string;
  count: number;
}

export interface ProgressSink {
  start(totalBytes: number, label: string): void;
  update(bytesDone: number): void;
  stop(): void;
}

export interface ImportContext<O = Record<string, never>> {
  trx: Transaction<Database>;
  importId: number;
  input: InputFile;
  counts: ImportCounts;
  options: O;
  /** Adds to a data-quality note (counted, shown in the import log). */
  warn(message: string, count?: number): void;
  /** Call once per record: keeps the progress bar moving. */
  tick(): void;
}

export interface Importer<O = Record<string, never>> {
  /** The source's name in the import log and on the command line: `epraccur`, `list-sizes`… */
  source: string;
  /** What it reads, for `--help` and the admin page. */
  title: string;
  run(ctx: ImportContext<O>): Promise<void>;
}

export interface ImportOptions<O> {
  actor: string;
  userId?: number | null;
  ip?: string | null;
  progress?: ProgressSink;
  options?: O;
}

export interface ImportResult {
  status: "imported" | "unchanged";
  importId: number;
  source: string;
  fileName: string;
  hash: string;
  counts: ImportCounts;
  warnings: Warning[];
  /** For an unchanged file: when it was first imported. */
  importedAt?: string;
}

/** SHA-256 of the file's bytes (and of the import options, which change what the same bytes mean). */
export async function hashFile(path: string, options?: unknown): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  if (options && Object.keys(options).length > 0) hash.update("\n" + JSON.stringify(options, Object.keys(options).sort()));
  return hash.digest("hex");
}

/**
 * Imports one file, all or nothing:
 * - the same file (by content hash) already imported from this source is a no-op;
 * - otherwise everything happens in one transaction: the importer's writes, the import log row and the audit entry;
 * - any error rolls it all back, so a bad file leaves every table as it was.
 */
export async function importFile<O>(
  db: Kysely<Database>,
  importer: Importer<O>,
  path: string,
  opts: ImportOptions<O>,
): Promise<ImportResult> {
  const options = (opts.options ?? {}) as O;
  const input = await openInput(path);
  try {
    if (input.members.length === 0) {
      throw new ImportError({ file: input.fileName, expected: "a .csv file, or a .zip holding one", got: "a zip with no CSV in it" });
    }
    const hash = await hashFile(path, options);
    const previous = await db
      .selectFrom("import_log")
      .select(["id", "finished_at"])
      .where("source", "=", importer.source)
      .where("file_hash", "=", hash)
      .orderBy("id")
      .executeTakeFirst();
    const counts: ImportCounts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
    if (previous) {
      return {
        status: "unchanged",
        importId: previous.id,
        source: importer.source,
        fileName: input.fileName,
        hash,
        counts,
        warnings: [],
        importedAt: previous.finished_at,
      };
    }

    const warnings = new Map<string, number>();
    const startedAt = new Date().toISOString();
    opts.progress?.start(input.bytes, input.fileName);
    let ticks = 0;
    try {
      return await db.transaction().execute(async (trx) => {
        const { id: importId } = await trx
          .insertInto("import_log")
          .values({
            source: importer.source,
            file_name: input.fileName,
            file_hash: hash,
            file_bytes: input.bytes,
            started_at: startedAt,
            finished_at: startedAt,
            rows_read: 0,
            rows_inserted: 0,
            rows_updated: 0,
            rows_unchanged: 0,
            rows_rejected: 0,
            warnings: "[]",
            actor: opts.actor,
            user_id: opts.userId ?? null,
          })
          .returning("id")
          .executeTakeFirstOrThrow();

        await importer.run({
          trx,
          importId,
          input,
          counts,
          options,
          warn: (message, count = 1) => warnings.set(message, (warnings.get(message) ?? 0) + count),
          tick: () => {
            if (++ticks % 8192 === 0) opts.progress?.update(input.bytesRead());
          },
        });

        const warningList = [...warnings].map(([message, count]) => ({ message, count }));
        const finishedAt = new Date().toISOString();
        await trx
          .updateTable("import_log")
          .set({
            finished_at: finishedAt,
            rows_read: counts.read,
            rows_inserted: counts.inserted,
            rows_updated: counts.updated,
            rows_unchanged: counts.unchanged,
            rows_rejected: counts.rejected,
            warnings: JSON.stringify(warningList),
          })
          .where("id", "=", importId)
          .execute();
        await recordAudit(trx, {
          actor: opts.actor,
          userId: opts.userId ?? null,
          ip: opts.ip ?? null,
          action: "import.completed",
          entityType: "import",
          entityId: String(importId),
          detail: { source: importer.source, fileName: input.fileName, hash, ...counts },
        });
        return {
          status: "imported" as const,
          importId,
          source: importer.source,
          fileName: input.fileName,
          hash,
          counts,
          warnings: warningList,
        };
      });
    } finally {
      opts.progress?.update(input.bytes);
      opts.progress?.stop();
    }
  } finally {
    input.close();
  }
}
