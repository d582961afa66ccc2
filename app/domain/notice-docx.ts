import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from "docx";
import { longDate, noticeBlocks, type Block, type NoticeDocument } from "./notice-document";

/**
 * A notice as a Word document (.docx, editable in Word), drawn from the same blocks as the print page
 * (`noticeBlocks`). Pure: builds the file in memory with the `docx` library (docs/decisions/0011-docx.md). Kept apart
 * from notice-document.ts so that pages importing the document's types never bundle the library.
 */

const FONT = "Arial";
const BORDER = { style: BorderStyle.SINGLE, size: 4, color: "666666" };
const BORDERS = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER };

function cellParagraph(text: string, options: { bold?: boolean; right?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: options.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
    children: [new TextRun({ text, bold: options.bold, font: FONT, size: 18 })],
  });
}

function cell(text: string, options: { bold?: boolean; right?: boolean } = {}): TableCell {
  return new TableCell({ borders: BORDERS, margins: { top: 40, bottom: 40, left: 80, right: 80 }, children: [cellParagraph(text, options)] });
}

function table(block: Extract<Block, { kind: "table" }>): (Paragraph | Table)[] {
  if (block.rows.length === 0) return [];
  const rows = [
    new TableRow({ tableHeader: true, children: block.header.map((h, i) => cell(h, { bold: true, right: block.numeric[i] })) }),
    ...block.rows.map((r) => new TableRow({ children: r.map((c, i) => cell(c, { right: block.numeric[i] })) })),
  ];
  if (block.total) rows.push(new TableRow({ children: block.total.map((c, i) => cell(c, { bold: true, right: block.numeric[i] })) }));
  return [
    new Paragraph({ keepNext: true, spacing: { before: 160, after: 80 }, children: [new TextRun({ text: block.caption, bold: true, font: FONT })] }),
    new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }),
    new Paragraph({ children: [] }),
  ];
}

function facts(rows: [string, string][]): (Paragraph | Table)[] {
  return [
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: rows.map(
        ([k, v]) =>
          new TableRow({
            children: [
              new TableCell({ borders: BORDERS, width: { size: 35, type: WidthType.PERCENTAGE }, children: [cellParagraph(k, { bold: true })] }),
              new TableCell({ borders: BORDERS, width: { size: 65, type: WidthType.PERCENTAGE }, children: [cellParagraph(v)] }),
            ],
          }),
      ),
    }),
    new Paragraph({ children: [] }),
  ];
}

function run(text: string, bold = false): ParagraphChild {
  return new TextRun({ text, bold, font: FONT });
}

/** The document's content as docx elements. */
export function noticeDocxChildren(doc: NoticeDocument): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [];
  if (!doc.issued) out.push(new Paragraph({ children: [run("DRAFT – NOT ISSUED", true)] }));
  for (const b of noticeBlocks(doc)) {
    switch (b.kind) {
      case "title":
        out.push(new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun({ text: b.text, bold: true, font: FONT, size: 40 })] }));
        break;
      case "heading":
        out.push(new Paragraph({ heading: HeadingLevel.HEADING_1, keepNext: true, children: [new TextRun({ text: b.text, bold: true, font: FONT, size: 28 })] }));
        break;
      case "subheading":
        out.push(new Paragraph({ heading: HeadingLevel.HEADING_2, keepNext: true, children: [new TextRun({ text: b.text, bold: true, font: FONT, size: 24 })] }));
        break;
      case "paragraph":
        out.push(new Paragraph({ spacing: { after: 120 }, children: [run(b.text, b.strong)] }));
        break;
      case "quote":
        out.push(new Paragraph({ indent: { left: 567 }, spacing: { after: 120 }, children: [new TextRun({ text: b.text, italics: true, font: FONT })] }));
        break;
      case "list":
        for (const item of b.items) out.push(new Paragraph({ bullet: { level: 0 }, children: [run(item)] }));
        break;
      case "facts":
        out.push(...facts(b.rows));
        break;
      case "table":
        out.push(...table(b));
        break;
    }
  }
  return out;
}

/** The notice as a .docx file's bytes. */
export async function renderNoticeDocx(doc: NoticeDocument): Promise<Uint8Array> {
  const file = new Document({
    creator: "ICB Access Monitor",
    title: `${doc.title} – ${doc.contractor.name}`,
    description: `${doc.title} for ${doc.contractor.name} (${doc.contractor.odsCode}), ${longDate(doc.period.from)} to ${longDate(doc.period.to)}`,
    styles: { default: { document: { run: { font: FONT, size: 22 } } } },
    sections: [
      {
        properties: { page: { margin: { top: 1134, bottom: 1134, left: 1020, right: 1020 } } },
        children: noticeDocxChildren(doc),
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(file));
}
