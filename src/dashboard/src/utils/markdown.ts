// Markdown (task descriptions, comments, chat) to safe HTML: marked renders, DOMPurify removes anything
// that could run script; task keys of known projects (OPS-42) become links to the task.
import DOMPurify from "dompurify";
import { marked } from "marked";

export interface TaskLink {
  /** "OPS-42" → the task's id, when the key is known. */
  resolve: (key: string) => string | null;
}

const KEY = /\b([A-Z][A-Z0-9]{1,9})-(\d{1,9})\b/g;

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("rel", "noopener noreferrer nofollow");
    if (!node.getAttribute("href")?.startsWith("/")) node.setAttribute("target", "_blank");
  }
});

/** Safe HTML for `text`; task keys link to their task when `links` knows them. */
export function renderMarkdown(text: string, links?: TaskLink): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: true });
  const clean = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input"] });
  if (!links) return clean;
  const box = document.createElement("div");
  box.innerHTML = clean;
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) {
    const node = walker.currentNode as Text;
    if (!node.parentElement?.closest("a, code, pre")) texts.push(node);
  }
  for (const node of texts) {
    const value = node.data;
    const matches = [...value.matchAll(KEY)];
    if (!matches.length) continue;
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of matches) {
      const id = links.resolve(match[0]);
      if (!id) continue;
      frag.append(value.slice(last, match.index));
      const a = document.createElement("a");
      a.href = `/tasks/${id}`;
      a.textContent = match[0];
      a.className = "task-ref";
      frag.append(a);
      last = (match.index ?? 0) + match[0].length;
    }
    frag.append(value.slice(last));
    node.replaceWith(frag);
  }
  return box.innerHTML;
}
