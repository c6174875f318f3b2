// Translations from a spreadsheet: `npm run i18n:import -- FILE.csv` reads rows of (key, ru, en) (a
// header row naming those columns is allowed) into src/locales/ru.json and en.json, nested by the
// dots of the key, and reports keys that still lack a language. A flat JSON file of
// {"key": {"ru": "...", "en": "..."}} is read the same way.
// `npm run i18n:check` only reports (and fails on) keys present in one language.
// `npm run i18n:import -- --export FILE.csv` writes every key with both languages for translators.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

const LOCALES = process.env.WORKHUB_LOCALES_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "..", "src", "locales");
const LANGS = ["ru", "en"];

function load(lang) {
  return JSON.parse(readFileSync(join(LOCALES, `${lang}.json`), "utf8"));
}

function save(lang, tree) {
  writeFileSync(join(LOCALES, `${lang}.json`), JSON.stringify(tree, null, 2) + "\n");
}

function flatten(tree, prefix = "", out = {}) {
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[name] = value;
    else flatten(value, name, out);
  }
  return out;
}

function put(tree, key, value) {
  const parts = key.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] === "string") throw new Error(`${key}: ${part} is a text, not a group`);
    node = node[part] ??= {};
  }
  node[parts.at(-1)] = value;
}

function rows(file) {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    return Object.entries(JSON.parse(text)).map(([key, v]) => ({ key, ru: v.ru ?? "", en: v.en ?? "" }));
  }
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  const header = records[0]?.map((c) => c.toLowerCase());
  const named = header && ["key", "ru", "en"].every((c) => header.includes(c));
  const [k, r, e] = named ? ["key", "ru", "en"].map((c) => header.indexOf(c)) : [0, 1, 2];
  return (named ? records.slice(1) : records).map((row) => ({ key: row[k] ?? "", ru: row[r] ?? "", en: row[e] ?? "" }));
}

function oneSided(trees) {
  const flat = Object.fromEntries(LANGS.map((l) => [l, flatten(trees[l])]));
  const keys = new Set(LANGS.flatMap((l) => Object.keys(flat[l])));
  return [...keys].sort().flatMap((key) => {
    const missing = LANGS.filter((l) => !flat[l][key]);
    return missing.length ? [`${key}: missing in ${missing.join(", ")}`] : [];
  });
}

/** Run `fn` holding a lock on the locale files (several editors may import at once). */
function locked(fn) {
  const lock = join(LOCALES, ".lock");
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 200) throw new Error(`${lock} is held; remove it if no import is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
}

const args = process.argv.slice(2);
if (args[0] === "--check") {
  const problems = oneSided(Object.fromEntries(LANGS.map((l) => [l, load(l)])));
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
} else if (args[0] === "--export" && args[1]) {
  const flat = Object.fromEntries(LANGS.map((l) => [l, flatten(load(l))]));
  const keys = [...new Set(LANGS.flatMap((l) => Object.keys(flat[l])))].sort();
  writeFileSync(args[1], stringify([["key", "ru", "en"], ...keys.map((k) => [k, flat.ru[k] ?? "", flat.en[k] ?? ""])]));
  console.log(`${keys.length} keys written to ${args[1]}`);
} else if (args[0]) {
  const problems = locked(() => {
    const trees = Object.fromEntries(LANGS.map((l) => [l, load(l)]));
    let count = 0;
    for (const row of rows(args[0])) {
      if (!row.key || row.key.startsWith("#")) continue;
      for (const lang of LANGS) if (row[lang]) put(trees[lang], row.key, row[lang]);
      count++;
    }
    for (const lang of LANGS) save(lang, trees[lang]);
    console.log(`${count} keys imported from ${args[0]}`);
    return oneSided(trees);
  });
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
} else {
  console.error("usage: i18n-import.mjs FILE.csv | FILE.json | --check | --export FILE.csv");
  process.exit(2);
}
