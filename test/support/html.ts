/** Reading rendered pages in integration tests: text as read, tables by caption, CSV downloads. */

export function decode(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&ldquo;|&rdquo;/g, '"')
    .replace(/&amp;/g, "&");
}

/** Text as read: block elements separate words, inline ones (links, tags, hidden text) do not. */
export function textOf(html: string): string {
  return decode(
    html
      .replace(
        /<\/?(?:p|div|h[1-6]|li|ul|ol|td|th|tr|table|caption|thead|tbody|dl|dt|dd|br|main|details|summary|label|select|option|button|form|svg|input|section)\b[^>]*>/g,
        " ",
      )
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/\s+/g, " ")
    .trim();
}

export function mainText(html: string): string {
  return textOf(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? "");
}

export interface Table {
  headers: string[];
  rows: string[][];
}

/** The table with this caption: its column headings (without sort arrows) and body rows, as text. */
export function table(html: string, caption: string): Table {
  const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
  const found = tables.find((t) => textOf(/<caption[\s\S]*?<\/caption>/.exec(t)?.[0] ?? "") === caption);
  if (!found) throw new Error(`No table captioned "${caption}"; captions: ${tables.map((t) => textOf(/<caption[\s\S]*?<\/caption>/.exec(t)?.[0] ?? "")).join(" | ")}`);
  const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => textOf(m[1]!));
  const head = /<thead[\s\S]*?<\/thead>/.exec(found)?.[0] ?? "";
  const body = /<tbody[\s\S]*?<\/tbody>/.exec(found)?.[0] ?? "";
  return {
    headers: cells(head).map((h) => h.replace(/ [▲▼]$/, "")),
    rows: (body.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map(cells),
  };
}

/** A row of a table by its first cell, as heading → cell. */
export function rowOf(t: Table, first: string): Record<string, string> {
  const row = t.rows.find((r) => r[0] === first);
  if (!row) throw new Error(`No row for ${first}`);
  return Object.fromEntries(t.headers.map((h, i) => [h, row[i]!]));
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}
