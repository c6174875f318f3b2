// Every kind of link the backend writes into notifications, mails, feeds and invitations opens its screen.
import { describe, expect, it } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";

import { routes } from "@/router";

const ID = "0191b3a4-0000-7000-8000-000000000001";
const OTHER = "0191b3a4-0000-7000-8000-000000000002";

/** Link → the screen (route name) it must open; where the backend writes each is named beside it. */
const LINKS: [string, string][] = [
  [`/invitations/abcDEF_123-xyz`, "invitation"], // projects: an invitation's accept_url
  [`/tasks/${ID}`, "task"], // notifications (assigned, status, deadline, overdue, comment), reminders, ICS feeds, chat task references
  [`/projects/${ID}`, "board"], // notifications: everything you set is done; a member's tasks lost their assignee
  [`/projects/${ID}/channels/${OTHER}?message=${ID}`, "chat"], // chat: a mention
  [`/jobs/${ID}`, "job"], // jobs: a job finished
  [`/tasks?assignee=me`, "tasks"], // notifications: the daily digest
];

describe("links the backend sends", () => {
  const router = createRouter({ history: createMemoryHistory(), routes });

  it.each(LINKS)("%s opens %s", (link, name) => {
    const resolved = router.resolve(link);
    // A redirect (/projects/<id> → its board) is followed as the router would.
    const redirect = resolved.matched[0]?.redirect;
    const target = typeof redirect === "function" ? router.resolve(redirect(resolved as never, resolved as never) as string) : resolved;
    expect(target.name).toBe(name);
  });

  it("keeps the query a link carries", () => {
    expect(router.resolve(`/tasks?assignee=me`).query).toEqual({ assignee: "me" });
    expect(router.resolve(`/projects/${ID}/channels/${OTHER}?message=${ID}`).query).toEqual({ message: ID });
  });
});
