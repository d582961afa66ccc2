import { createReadStream, promises as fs } from "node:fs";
import { basename } from "node:path";
import { Transform, type Readable } from "node:stream";
import zlib from "node:zlib";
import yauzl from "yauzl";
import { ImportError } from "./errors";

/** One CSV to read: the file itself, or one member of a zip. */
export interface CsvMember {
  /** Shown in errors: `file.csv`, or `file.zip!member.csv`. */
  label: string;
  /** The member's own name (the file name for a plain CSV). */
  name: string;
  /** Uncompressed size in bytes, when known. */
  size: number;
  open(): Promise<Readable>;
}

export interface InputFile {
  path: string;
  fileName: string;
  bytes: number;
  isZip: boolean;
  members: CsvMember[];
  /** Bytes of the underlying file read so far (compressed bytes for a zip), for progress bars. */
  bytesRead(): number;
  close(): void;
}

async function startsWithZipMagic(path: string): Promise<boolean> {
  const handle = await fs.open(path, "r");
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", reject);
    zip.readEntry();
  });
}

let crcTable: Int32Array | null = null;

/** CRC-32 (as in zip), continuing from `crc`: zlib's own where Node has it (20.15+), else a table. */
function crc32(data: Buffer, crc: number): number {
  if (typeof zlib.crc32 === "function") return zlib.crc32(data, crc);
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * A zip member's stream, refused (as an ImportError) if it cannot be inflated, has the wrong length, or fails its
 * CRC-32 check. yauzl checks none of the CRC itself, so without this a damaged zip can give wrong data silently.
 */
function checkedMember(stream: Readable, entry: yauzl.Entry, label: string): Readable {
  let crc = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback) {
      if (crc >>> 0 === entry.crc32 >>> 0) callback();
      else callback(new ImportError({ file: label, expected: "a complete, uncorrupted file", got: "a zip member that fails its CRC-32 check" }));
    },
  });
  stream.on("error", (e: Error) => out.destroy(new ImportError({ file: label, expected: "a complete, uncorrupted file", got: e.message })));
  return stream.pipe(out);
}

/**
 * Opens a published file as one or more CSV streams. A `.zip` (recognised by its content, not its name) gives
 * each `.csv` member in it; anything else is read as one CSV. Nothing is read into memory whole.
 */
export async function openInput(path: string): Promise<InputFile> {
  const fileName = basename(path);
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new ImportError({ file: fileName, expected: "a readable file", got: path });
  }
  if (!stat.isFile()) throw new ImportError({ file: fileName, expected: "a file, not a directory", got: path });

  let read = 0;
  if (!(await startsWithZipMagic(path))) {
    return {
      path,
      fileName,
      bytes: stat.size,
      isZip: false,
      members: [
        {
          label: fileName,
          name: fileName,
          size: stat.size,
          open: async () => {
            const stream = createReadStream(path, { highWaterMark: 1 << 20 });
            stream.on("data", (chunk) => (read += chunk.length));
            return stream;
          },
        },
      ],
      bytesRead: () => read,
      close: () => {},
    };
  }

  let zip: yauzl.ZipFile;
  let entries: yauzl.Entry[];
  try {
    zip = await openZip(path);
    entries = await listEntries(zip);
  } catch (e) {
    throw new ImportError({ file: fileName, expected: "a readable zip archive", got: (e as Error).message });
  }
  const csvEntries = entries.filter(
    (e) => !e.fileName.endsWith("/") && !e.fileName.startsWith("__MACOSX/") && /\.csv$/i.test(e.fileName),
  );
  const members: CsvMember[] = csvEntries.map((entry) => ({
    label: `${fileName}!${entry.fileName}`,
    name: basename(entry.fileName),
    size: entry.uncompressedSize,
    open: () =>
      new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) {
            reject(new ImportError({ file: `${fileName}!${entry.fileName}`, expected: "a readable zip member", got: err?.message ?? "" }));
            return;
          }
          const compressedShare = entry.uncompressedSize > 0 ? entry.compressedSize / entry.uncompressedSize : 0;
          stream.on("data", (chunk: Buffer) => (read += chunk.length * compressedShare));
          resolve(checkedMember(stream, entry, `${fileName}!${entry.fileName}`));
        }),
      ),
  }));
  return {
    path,
    fileName,
    bytes: stat.size,
    isZip: true,
    members,
    bytesRead: () => Math.round(read),
    close: () => zip.close(),
  };
}
