// The two languages: the same keys in both, the same placeholders, and plural forms that read right.
import { describe, expect, it } from "vitest";

import { i18n, russianPlural } from "@/i18n";
import en from "@/locales/en.json";
import ru from "@/locales/ru.json";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[name] = value;
    else Object.assign(out, flatten(value, name));
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("translations", () => {
  const english = flatten(en as Tree);
  const russian = flatten(ru as Tree);

  it("has every key in both languages", () => {
    expect(Object.keys(russian).filter((k) => !(k in english))).toEqual([]);
    expect(Object.keys(english).filter((k) => !(k in russian))).toEqual([]);
  });

  it("uses the same placeholders in both languages", () => {
    const differ = Object.keys(english).filter(
      (k) => k in russian && JSON.stringify([...new Set(placeholders(english[k] ?? ""))]) !== JSON.stringify([...new Set(placeholders(russian[k] ?? ""))]),
    );
    expect(differ).toEqual([]);
  });

  it("gives Russian counts their three forms (and zero its own)", () => {
    const { t } = i18n.global;
    i18n.global.locale.value = "ru";
    expect([0, 1, 2, 5, 11, 21, 22, 25, 101, 111].map((n) => t("counts.tasks", n))).toEqual([
      "нет задач",
      "1 задача",
      "2 задачи",
      "5 задач",
      "11 задач",
      "21 задача",
      "22 задачи",
      "25 задач",
      "101 задача",
      "111 задач",
    ]);
    i18n.global.locale.value = "en";
    expect([0, 1, 2].map((n) => t("counts.tasks", n))).toEqual(["no tasks", "1 task", "2 tasks"]);
  });

  it("picks one, few and many as CLDR says", () => {
    expect([1, 2, 3, 4, 5, 12, 14, 21, 24, 1001].map((n) => russianPlural(n, 3))).toEqual([0, 1, 1, 1, 2, 2, 2, 0, 1, 0]);
  });
});
