// Reading the CSV files jobs write (docs/api.md, CSV files): UTF-8 with a byte-order mark, `,` or
// `;`, CRLF, quoted cells, and a leading `'` on cells that would start a spreadsheet formula.

const FORMULA_START = ["=", "+", "-", "@", "\t"];

/** `;` or `,`: whichever the header row has more of (outside quotes), as the server decides too. */
export function sniffDelimiter(text: string): "," | ";" {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && ch === ";") semicolons++;
    else if (!quoted && ch === ",") commas++;
  }
  return semicolons > commas ? ";" : ",";
}

/** A cell as it was before the export protected it from spreadsheets. */
export function unprotect(cell: string): string {
  return cell.length > 1 && cell.startsWith("'") && FORMULA_START.includes(cell[1] ?? "") ? cell.slice(1) : cell;
}

/** Rows of cells (RFC 4180: quotes around cells, `""` inside them, line breaks inside quoted cells). */
export function parseCsv(text: string, delimiter?: "," | ";"): string[][] {
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  const sep = delimiter ?? sniffDelimiter(body);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i += 1;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" || ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      if (ch === "\r" && body[i + 1] === "\n") i += 1;
    } else cell += ch;
    i += 1;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c !== "")).map((r) => r.map(unprotect));
}

/** One rejected row of an import, as the job's report gives it. */
export interface RejectedRow {
  /** The row in the file (the header is row 1). */
  row: number;
  column: string;
  value: string;
  reason: string;
}

/** The import report (columns row, column, value, reason, headed in the user's language). */
export function parseImportReport(text: string): RejectedRow[] {
  const [, ...rows] = parseCsv(text);
  return rows.map((r) => ({ row: Number(r[0]), column: r[1] ?? "", value: r[2] ?? "", reason: r[3] ?? "" }));
}
