// The spreadsheet import: a CSV of (key, ru, en) lands in the two JSON files, and missing halves are reported.
// @vitest-environment node
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

const SCRIPT = join(__dirname, "..", "scripts", "i18n-import.mjs");

function run(dir: string, ...args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync("node", [SCRIPT, ...args], { env: { ...process.env, WORKHUB_LOCALES_DIR: dir }, encoding: "utf8", stdio: "pipe" });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

describe("i18n import", () => {
  it("imports quoted cells into nested keys and reports a key with one language", () => {
    const dir = mkdtempSync(join(tmpdir(), "locales-"));
    writeFileSync(join(dir, "ru.json"), JSON.stringify({ common: { save: "Сохранить" } }));
    writeFileSync(join(dir, "en.json"), JSON.stringify({ common: { save: "Save" } }));
    const csv = join(dir, "sheet.csv");
    writeFileSync(csv, 'key,ru,en\nboard.add,"Добавить, быстро","Add, quickly"\nboard.onlyRu,Только по-русски,\n');

    const result = run(dir, csv);
    expect(result.code).toBe(1);
    expect(result.out).toContain("board.onlyRu: missing in en");
    expect(JSON.parse(readFileSync(join(dir, "ru.json"), "utf8")).board).toEqual({ add: "Добавить, быстро", onlyRu: "Только по-русски" });
    expect(JSON.parse(readFileSync(join(dir, "en.json"), "utf8")).board).toEqual({ add: "Add, quickly" });
    expect(run(dir, "--check").code).toBe(1);

    writeFileSync(csv, "board.onlyRu,Только по-русски,Only in Russian\n"); // no header row
    expect(run(dir, csv).code).toBe(0);
    expect(run(dir, "--check").code).toBe(0);
  });
});
