// Markdown is rendered without anything that could run script, and task keys become links.
import { describe, expect, it } from "vitest";

import { renderMarkdown } from "@/utils/markdown";

describe("renderMarkdown", () => {
  it("renders markdown and drops script, handlers and javascript: links", () => {
    const html = renderMarkdown('**bold** <script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))');
    expect(html).toContain("<strong>bold</strong>");
    expect(html).not.toMatch(/script|onerror|javascript:/);
  });

  it("links known task keys and leaves others and code alone", () => {
    const html = renderMarkdown("See OPS-42 and XYZ-1, not `OPS-42`", { resolve: (key) => (key === "OPS-42" ? "t-42" : null) });
    expect(html).toContain('<a href="/tasks/t-42" class="task-ref">OPS-42</a>');
    expect(html).toContain("XYZ-1");
    expect(html).toContain("<code>OPS-42</code>");
  });
});
