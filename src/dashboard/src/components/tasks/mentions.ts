// @mentions as the server reads them (src/workhub/notifications/mentions.py): an `@` starting a word,
// then letters, digits, `_`, `.` or `-`; the word is a member's name without spaces or the part of
// their email before the `@`, ignoring case. This finds the word being typed and what to insert.
import type { Member } from "@/api/types";

const WORD = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u;
const BEFORE = /[\p{L}\p{N}_@.]/u;

/** The word that mentions `member` (their name without spaces, else their email's local part). */
export function mentionHandle(member: Pick<Member, "name" | "email">): string {
  const name = member.name.split(/\s+/).join("");
  if (WORD.test(name) && !/[.-]$/.test(name)) return name;
  const local = member.email.split("@")[0] ?? "";
  return WORD.test(local) ? local.replace(/[.-]+$/, "") : name;
}

export interface ActiveMention {
  /** Where the `@` is. */
  start: number;
  /** What follows it up to the caret. */
  query: string;
}

/** The mention being typed at `caret`, if the caret ends an `@word` (or a bare `@`). */
export function activeMention(text: string, caret: number): ActiveMention | null {
  let at = caret - 1;
  while (at >= 0 && /[\p{L}\p{N}_.-]/u.test(text[at] as string)) at--;
  if (at < 0 || text[at] !== "@") return null;
  if (at > 0 && BEFORE.test(text[at - 1] as string)) return null;
  const query = text.slice(at + 1, caret);
  if (query !== "" && !WORD.test(query)) return null;
  return { start: at, query };
}

/** Members whose handle, name or email starts with (or whose name contains) `query`, best first. */
export function mentionCandidates(members: readonly Member[], query: string, limit = 8): Member[] {
  const q = query.toLocaleLowerCase();
  const scored = members
    .map((m) => {
      const handle = mentionHandle(m).toLocaleLowerCase();
      const name = m.name.toLocaleLowerCase();
      const email = m.email.toLocaleLowerCase();
      const score = handle.startsWith(q) || email.startsWith(q) ? 0 : name.split(/\s+/).some((w) => w.startsWith(q)) ? 1 : name.includes(q) ? 2 : 3;
      return { m, score };
    })
    .filter((s) => s.score < 3)
    .sort((a, b) => a.score - b.score || a.m.name.localeCompare(b.m.name));
  return scored.slice(0, limit).map((s) => s.m);
}

/** `text` with the mention at `mention` completed to `@handle `, and where the caret goes. */
export function insertMention(text: string, mention: ActiveMention, caret: number, handle: string): { text: string; caret: number } {
  const inserted = `@${handle} `;
  const next = text.slice(0, mention.start) + inserted + text.slice(caret).replace(/^\s/, "");
  return { text: next, caret: mention.start + inserted.length };
}
