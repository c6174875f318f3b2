// Chat's own logic: merging messages from REST and Socket.IO, channel order and unread counts, task
// keys from messages, and mentions as the server recognises them (docs/api.md, Mentions).
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";

import {
  type Channel,
  compareIds,
  fresher,
  insertMention,
  mentionAt,
  mentionCandidates,
  mentionHandle,
  type Message,
  mergeMessages,
  sortChannels,
  taskKeysOf,
  unreadAfter,
  upsertChannel,
  useChat,
} from "@/stores/chat";

// UUIDv7-shaped ids: the first hex digits hold the time, so they sort like the messages were posted.
const id = (n: number) => `0190f0a0-0000-7000-8000-${String(n).padStart(12, "0")}`;

function message(n: number, extra: Partial<Message> = {}): Message {
  return {
    id: id(n),
    channel_id: "c1",
    project_id: "p1",
    author_id: "u1",
    text: `message ${n}`,
    metadata: null,
    task_refs: [],
    created_at: new Date(2026, 0, 1, 10, n).toISOString(),
    edited_at: null,
    deleted: false,
    ...extra,
  };
}

function channel(name: string, extra: Partial<Channel> = {}): Channel {
  return {
    id: `ch-${name}`,
    project_id: "p1",
    name,
    topic: "",
    private: false,
    default: false,
    archived: false,
    created_by: null,
    created_at: "2026-01-01T00:00:00Z",
    member_ids: [],
    unread: 0,
    ...extra,
  };
}

describe("merging messages", () => {
  it("keeps each id once, oldest first, whatever order pages and pushes arrive in", () => {
    const page = [message(5), message(4), message(3)]; // the API answers newest first
    const pushed = [message(6), message(4)];
    const merged = mergeMessages(mergeMessages([], page), pushed);
    expect(merged.map((m) => m.id)).toEqual([id(3), id(4), id(5), id(6)]);
  });

  it("puts an older page before what is loaded", () => {
    const merged = mergeMessages([message(10), message(11)], [message(9), message(8)]);
    expect(merged.map((m) => m.text)).toEqual(["message 8", "message 9", "message 10", "message 11"]);
  });

  it("keeps an edit against a stale copy and a tombstone against anything", () => {
    const edited = message(1, { text: "fixed", edited_at: "2026-01-01T12:00:00Z" });
    const stale = message(1);
    expect(mergeMessages([edited], [stale])[0]?.text).toBe("fixed");
    expect(mergeMessages([stale], [edited])[0]?.text).toBe("fixed");
    const tomb = message(1, { deleted: true, text: "" });
    expect(mergeMessages([tomb], [edited])[0]?.deleted).toBe(true);
    expect(fresher(edited, tomb).deleted).toBe(true);
  });

  it("orders ids the way the server does", () => {
    expect(compareIds(id(2), id(10))).toBe(-1);
    expect(compareIds(id(10), id(10))).toBe(0);
  });
});

describe("channels and unread counts", () => {
  it("lists general first, then by name, and keeps a known channel's count on a live change", () => {
    const list = sortChannels([channel("zeta"), channel("general", { default: true }), channel("alpha", { unread: 3 })]);
    expect(list.map((c) => c.name)).toEqual(["general", "alpha", "zeta"]);
    const renamed = upsertChannel(list, { ...channel("alpha"), name: "omega" });
    expect(renamed.map((c) => `${c.name}:${c.unread}`)).toEqual(["general:0", "omega:3", "zeta:0"]);
    expect(upsertChannel(renamed, channel("beta")).map((c) => c.name)).toEqual(["general", "beta", "omega", "zeta"]);
  });

  it("counts messages of others that are not deleted, unless the channel is being read", () => {
    expect(unreadAfter(2, message(1, { author_id: "other" }), "me", false)).toBe(3);
    expect(unreadAfter(2, message(1, { author_id: "me" }), "me", false)).toBe(2);
    expect(unreadAfter(2, message(1, { author_id: "other", deleted: true }), "me", false)).toBe(2);
    expect(unreadAfter(2, message(1, { author_id: "other" }), "me", true)).toBe(2);
  });

  describe("in the store", () => {
    beforeEach(() => setActivePinia(createPinia()));

    it("grows the badge of the channel a message went to", () => {
      const chat = useChat();
      chat.channels.p1 = [channel("general", { default: true }), channel("design")];
      chat.countNew(message(1, { channel_id: "ch-design", author_id: "other" }), "me", false);
      chat.countNew(message(2, { channel_id: "ch-design", author_id: "other" }), "me", false);
      chat.countNew(message(3, { channel_id: "ch-design", author_id: "me" }), "me", false);
      expect(chat.channels.p1?.map((c) => c.unread)).toEqual([0, 2]);
    });

    it("merges pushes into a loaded channel only, and learns task keys either way", () => {
      const chat = useChat();
      chat.receive(message(1, { task_refs: [{ key: "OPS-7", task_id: "t7", url: "/tasks/t7" }] }));
      expect(chat.feeds.c1).toBeUndefined();
      expect(chat.taskIds["OPS-7"]).toBe("t7");
      chat.feeds.c1 = { items: [message(1)], hasOlder: false, loaded: true };
      chat.receive(message(2));
      chat.receive(message(2, { text: "edited", edited_at: "2026-01-02T00:00:00Z" }));
      expect(chat.feeds.c1?.items.map((m) => m.text)).toEqual(["message 1", "edited"]);
    });

    it("moves an archived channel out of the live list and back when restored", () => {
      const chat = useChat();
      const design = channel("design");
      chat.channels.p1 = [channel("general", { default: true }), design];
      chat.archived.p1 = [];
      chat.remember({ ...design, archived: true });
      expect(chat.channels.p1?.map((c) => c.name)).toEqual(["general"]);
      expect(chat.archived.p1?.map((c) => c.name)).toEqual(["design"]);
      expect(chat.find(design.id)?.archived).toBe(true);
      chat.remember({ ...design, archived: false });
      expect(chat.channels.p1?.map((c) => c.name)).toEqual(["general", "design"]);
      expect(chat.archived.p1).toEqual([]);
    });
  });
});

describe("task keys", () => {
  it("maps the keys the server linked, in upper case", () => {
    const keys = taskKeysOf([
      message(1, { task_refs: [{ key: "ops-1", task_id: "a", url: "/tasks/a" }] }),
      message(2, { task_refs: [{ key: "OPS-2", task_id: "b", url: "/tasks/b" }] }),
    ]);
    expect(keys).toEqual({ "OPS-1": "a", "OPS-2": "b" });
  });
});

describe("mentions", () => {
  const ivan = { user_id: "1", name: "Иван Петров", email: "ivan.petrov@example.com" };
  const jane = { user_id: "2", name: "Jane Doe", email: "jd@example.com" };
  const jane2 = { user_id: "3", name: "Jane  Doe", email: "jane.d2@example.com" };
  const odd = { user_id: "4", name: "O'Brien", email: "obrien@example.com" };

  it("writes the name without spaces, or the email's local part when the name is shared or not a word", () => {
    expect(mentionHandle(ivan, [ivan, jane])).toBe("ИванПетров");
    expect(mentionHandle(jane, [ivan, jane])).toBe("JaneDoe");
    expect(mentionHandle(jane, [jane, jane2])).toBe("jd");
    expect(mentionHandle(odd, [odd])).toBe("obrien");
  });

  it("finds the word being typed after @, but not inside an email address", () => {
    expect(mentionAt("hi @ja", 6)).toEqual({ start: 3, query: "ja" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("mail me at x@ja", 15)).toBeNull();
    expect(mentionAt("hi @ja there", 12)).toBeNull();
    expect(mentionAt("(@Ив", 4)).toEqual({ start: 1, query: "Ив" });
  });

  it("offers members by the start of a name, a word of it or the email", () => {
    const people = [ivan, jane, odd];
    expect(mentionCandidates(people, "пет").map((m) => m.user_id)).toEqual(["1"]);
    expect(mentionCandidates(people, "jd").map((m) => m.user_id)).toEqual(["2"]);
    expect(mentionCandidates(people, "janed").map((m) => m.user_id)).toEqual(["2"]);
    expect(mentionCandidates(people, "").length).toBe(3);
  });

  it("replaces the typed word with the mention and puts the caret after it", () => {
    expect(insertMention("hi @ja how", 3, 6, "JaneDoe")).toEqual({ text: "hi @JaneDoe how", caret: 12 });
    expect(insertMention("@", 0, 1, "jd")).toEqual({ text: "@jd ", caret: 4 });
  });
});
