// Project chat: each project's channels with their unread counts, each channel's messages (a window
// that grows older on demand), and the task keys messages named. Messages arrive by REST and over
// Socket.IO, often both: they are merged by id, ordered by id (time-ordered UUIDv7, the server's own
// order), and the fresher copy of a message wins.
import { defineStore } from "pinia";
import { ref } from "vue";

import { api, call } from "@/api/client";
import type { components } from "@/api/schema";
import type { Member } from "@/api/types";

type S = components["schemas"];
export type Channel = S["ChannelWithUnread"];
export type ChannelInfo = S["Channel"];
export type Message = S["Message"];

/** Messages of one channel, oldest first; `hasOlder` until the first message is loaded. */
export interface Feed {
  items: Message[];
  hasOlder: boolean;
  loaded: boolean;
}

const PAGE = 50;
/** How far back a link to one message may reach (pages of MAX_PAGE) before giving up. */
const SEEK_PAGES = 20;
const MAX_PAGE = 200;
/** Pages fetched to catch up after a reconnect before starting over from the newest. */
const CATCH_UP_PAGES = 10;

/** Ids in the server's order (UUIDv7 strings compare like the times they hold). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Of two copies of one message, the one to keep: a tombstone, else the later edit, else `incoming`. */
export function fresher(current: Message, incoming: Message): Message {
  if (current.deleted !== incoming.deleted) return current.deleted ? current : incoming;
  const a = current.edited_at ? Date.parse(current.edited_at) : 0;
  const b = incoming.edited_at ? Date.parse(incoming.edited_at) : 0;
  return a > b ? current : incoming;
}

/** `existing` and `incoming` as one list: each id once, the fresher copy, oldest first. */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of existing) byId.set(m.id, m);
  for (const m of incoming) {
    const known = byId.get(m.id);
    byId.set(m.id, known ? fresher(known, m) : m);
  }
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
}

/** `general` first, then by name (the server's order, kept when channels come and go live). */
export function sortChannels<T extends ChannelInfo>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.default !== b.default ? (a.default ? -1 : 1) : a.name.localeCompare(b.name)));
}

/** The list with `channel` added or replaced; a replaced one keeps its unread count. */
export function upsertChannel(list: readonly Channel[], channel: ChannelInfo, unread = 0): Channel[] {
  const known = list.find((c) => c.id === channel.id);
  const next: Channel = { ...channel, unread: known?.unread ?? unread };
  return sortChannels([...list.filter((c) => c.id !== channel.id), next]);
}

/**
 * The unread count of a channel after a new message arrives, by the server's rule: messages of
 * others, not deleted; nothing is added while the reader is looking at the channel (it is marked read).
 */
export function unreadAfter(unread: number, message: Message, me: string | null, viewing: boolean): number {
  if (viewing || message.deleted || message.author_id === me) return unread;
  return unread + 1;
}

/** Task keys (upper case) → task ids, from the task links the server put on messages. */
export function taskKeysOf(messages: readonly Message[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of messages) for (const ref of m.task_refs) out[ref.key.toUpperCase()] = ref.task_id;
  return out;
}

const WORD = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u;

/**
 * What to type after `@` to mention `member` (docs/api.md, Mentions): the name without spaces when
 * that is a mention word no one else in `members` shares, otherwise the part of the email before `@`.
 */
export function mentionHandle(member: Pick<Member, "user_id" | "name" | "email">, members: readonly Pick<Member, "user_id" | "name" | "email">[]): string {
  const byName = member.name.split(/\s+/).join("");
  const local = member.email.split("@")[0] ?? "";
  const usable = byName !== "" && WORD.test(byName) && !/[.-]$/.test(byName);
  const key = byName.toLowerCase();
  const shared = members.some(
    (m) => m.user_id !== member.user_id && (m.name.split(/\s+/).join("").toLowerCase() === key || (m.email.split("@")[0] ?? "").toLowerCase() === key),
  );
  return usable && !shared ? byName : local;
}

/** The `@word` being typed just before `caret`, if any (not inside an email address). */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_.-]*)$/u.exec(before);
  if (!match) return null;
  const query = match[2] ?? "";
  return { start: caret - query.length - 1, query };
}

/** Members whose name or email starts (or a word of the name starts) with `query`, at most `limit`. */
export function mentionCandidates<T extends Pick<Member, "name" | "email">>(members: readonly T[], query: string, limit = 6): T[] {
  const q = query.toLowerCase();
  return members
    .filter((m) => {
      if (!q) return true;
      const name = m.name.toLowerCase();
      return name.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q)) || name.replace(/\s+/g, "").startsWith(q) || m.email.toLowerCase().startsWith(q);
    })
    .slice(0, limit);
}

/** `text` with the `@query` at `start` replaced by `@handle ` and where the caret goes after it. */
export function insertMention(text: string, start: number, caret: number, handle: string): { text: string; caret: number } {
  const inserted = `@${handle} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret).replace(/^ /, ""), caret: start + inserted.length };
}

export const useChat = defineStore("chat", () => {
  const channels = ref<Record<string, Channel[]>>({});
  const archived = ref<Record<string, Channel[]>>({});
  const feeds = ref<Record<string, Feed>>({});
  const taskIds = ref<Record<string, string>>({});
  /** Channels opened by id that are not in the live list (archived ones), for their names. */
  const extra = ref<Record<string, ChannelInfo>>({});

  function feed(channelId: string): Feed {
    return (feeds.value[channelId] ??= { items: [], hasOlder: true, loaded: false });
  }

  function take(channelId: string, messages: readonly Message[], hasOlder?: boolean): void {
    const f = feed(channelId);
    f.items = mergeMessages(f.items, messages);
    if (hasOlder !== undefined) f.hasOlder = hasOlder;
    Object.assign(taskIds.value, taskKeysOf(messages));
  }

  function find(channelId: string): Channel | ChannelInfo | null {
    for (const list of [...Object.values(channels.value), ...Object.values(archived.value)]) {
      const found = list.find((c) => c.id === channelId);
      if (found) return found;
    }
    return extra.value[channelId] ?? null;
  }

  async function loadChannels(projectId: string): Promise<Channel[]> {
    const page = await call(api.GET("/api/v1/projects/{project_id}/channels", { params: { path: { project_id: projectId } } }));
    channels.value[projectId] = sortChannels(page.items);
    return channels.value[projectId];
  }

  async function loadArchived(projectId: string): Promise<Channel[]> {
    const page = await call(
      api.GET("/api/v1/projects/{project_id}/channels", { params: { path: { project_id: projectId }, query: { archived: true } } }),
    );
    archived.value[projectId] = sortChannels(page.items);
    return archived.value[projectId];
  }

  async function getChannel(channelId: string): Promise<ChannelInfo> {
    const channel = await call(api.GET("/api/v1/channels/{channel_id}", { params: { path: { channel_id: channelId } } }));
    extra.value[channelId] = channel;
    return channel;
  }

  /** A channel changed (by this user or live): put it where it now belongs. */
  function remember(channel: ChannelInfo): void {
    const pid = channel.project_id;
    const live = channels.value[pid] ?? [];
    const old = archived.value[pid] ?? [];
    if (channel.archived) {
      channels.value[pid] = live.filter((c) => c.id !== channel.id);
      if (archived.value[pid]) archived.value[pid] = upsertChannel(old, channel);
      extra.value[channel.id] = channel;
    } else {
      channels.value[pid] = upsertChannel(live, channel);
      if (archived.value[pid]) archived.value[pid] = old.filter((c) => c.id !== channel.id);
    }
  }

  /** The channel is no longer readable for this user (left, removed). */
  function forget(projectId: string, channelId: string): void {
    channels.value[projectId] = (channels.value[projectId] ?? []).filter((c) => c.id !== channelId);
    if (archived.value[projectId]) archived.value[projectId] = archived.value[projectId].filter((c) => c.id !== channelId);
    delete feeds.value[channelId];
    delete extra.value[channelId];
  }

  async function createChannel(projectId: string, body: S["ChannelCreate"]): Promise<ChannelInfo> {
    const channel = await call(api.POST("/api/v1/projects/{project_id}/channels", { params: { path: { project_id: projectId } }, body }));
    remember(channel);
    return channel;
  }

  async function updateChannel(channelId: string, body: S["ChannelUpdate"]): Promise<ChannelInfo> {
    const channel = await call(api.PATCH("/api/v1/channels/{channel_id}", { params: { path: { channel_id: channelId } }, body }));
    remember(channel);
    return channel;
  }

  async function archiveChannel(channel: ChannelInfo): Promise<void> {
    await call(api.DELETE("/api/v1/channels/{channel_id}", { params: { path: { channel_id: channel.id } } }));
    remember({ ...channel, archived: true });
  }

  async function addMember(channelId: string, userId: string): Promise<ChannelInfo> {
    const channel = await call(
      api.POST("/api/v1/channels/{channel_id}/members", { params: { path: { channel_id: channelId } }, body: { user_id: userId } }),
    );
    remember(channel);
    return channel;
  }

  async function removeMember(channel: ChannelInfo, userId: string): Promise<void> {
    await call(api.DELETE("/api/v1/channels/{channel_id}/members/{user_id}", { params: { path: { channel_id: channel.id, user_id: userId } } }));
    remember({ ...channel, member_ids: channel.member_ids.filter((id) => id !== userId) });
  }

  async function leave(channel: ChannelInfo): Promise<void> {
    await call(api.POST("/api/v1/channels/{channel_id}/leave", { params: { path: { channel_id: channel.id } } }));
    forget(channel.project_id, channel.id);
  }

  async function page(channelId: string, query: { before?: string; after?: string; limit?: number }) {
    return call(api.GET("/api/v1/channels/{channel_id}/messages", { params: { path: { channel_id: channelId }, query: { limit: PAGE, ...query } } }));
  }

  /** The newest messages (a fresh window: what was loaded before is dropped). */
  async function loadLatest(channelId: string): Promise<Feed> {
    const answer = await page(channelId, {});
    feeds.value[channelId] = { items: [], hasOlder: answer.has_more, loaded: true };
    take(channelId, answer.items, answer.has_more);
    return feed(channelId);
  }

  /** One page older than the oldest loaded message; false when there is nothing older. */
  async function loadOlder(channelId: string, limit = PAGE): Promise<boolean> {
    const f = feed(channelId);
    const oldest = f.items[0];
    if (!f.hasOlder || !oldest) return false;
    const answer = await page(channelId, { before: oldest.id, limit });
    take(channelId, answer.items, answer.has_more);
    return answer.items.length > 0;
  }

  /** Older pages until `messageId` is loaded (a link to one message); whether it was found. */
  async function loadUntil(channelId: string, messageId: string): Promise<boolean> {
    const f = feed(channelId);
    if (!f.loaded) await loadLatest(channelId);
    for (let i = 0; i < SEEK_PAGES; i++) {
      if (feed(channelId).items.some((m) => m.id === messageId)) return true;
      if (!(await loadOlder(channelId, MAX_PAGE))) break;
    }
    return feed(channelId).items.some((m) => m.id === messageId);
  }

  /** What was posted while the connection was down, page by page after the newest one known. */
  async function catchUp(channelId: string): Promise<void> {
    const f = feed(channelId);
    let newest = f.items.at(-1);
    if (!f.loaded || !newest) {
      await loadLatest(channelId);
      return;
    }
    for (let i = 0; i < CATCH_UP_PAGES; i++) {
      const answer = await page(channelId, { after: newest.id, limit: MAX_PAGE });
      take(channelId, answer.items);
      if (!answer.has_more) return;
      newest = feed(channelId).items.at(-1);
      if (!newest) break;
    }
    await loadLatest(channelId);
  }

  /** A message pushed live (created, edited or deleted). */
  function receive(message: Message): void {
    if (!feeds.value[message.channel_id]?.loaded) {
      Object.assign(taskIds.value, taskKeysOf([message]));
      return;
    }
    take(message.channel_id, [message]);
  }

  /** A new message of another channel: its badge grows unless the reader is looking at it. */
  function countNew(message: Message, me: string | null, viewing: boolean): void {
    const list = channels.value[message.project_id];
    if (!list) return;
    channels.value[message.project_id] = list.map((c) =>
      c.id === message.channel_id ? { ...c, unread: unreadAfter(c.unread, message, me, viewing) } : c,
    );
  }

  async function markRead(channel: ChannelInfo): Promise<void> {
    const newest = feeds.value[channel.id]?.items.at(-1);
    const state = await call(
      api.POST("/api/v1/channels/{channel_id}/read", {
        params: { path: { channel_id: channel.id } },
        body: newest ? { message_id: newest.id } : null,
      }),
    );
    const list = channels.value[channel.project_id];
    if (list) channels.value[channel.project_id] = list.map((c) => (c.id === channel.id ? { ...c, unread: state.unread } : c));
  }

  async function post(channelId: string, text: string): Promise<Message> {
    const message = await call(api.POST("/api/v1/channels/{channel_id}/messages", { params: { path: { channel_id: channelId } }, body: { text } }));
    take(channelId, [message]);
    return message;
  }

  async function edit(message: Message, text: string): Promise<Message> {
    const updated = await call(api.PATCH("/api/v1/messages/{message_id}", { params: { path: { message_id: message.id } }, body: { text } }));
    take(message.channel_id, [updated]);
    return updated;
  }

  async function remove(message: Message): Promise<void> {
    await call(api.DELETE("/api/v1/messages/{message_id}", { params: { path: { message_id: message.id } } }));
    take(message.channel_id, [{ ...message, deleted: true, text: "", metadata: null, task_refs: [], edited_at: new Date().toISOString() }]);
  }

  return {
    channels,
    archived,
    feeds,
    taskIds,
    feed,
    find,
    loadChannels,
    loadArchived,
    getChannel,
    remember,
    forget,
    createChannel,
    updateChannel,
    archiveChannel,
    addMember,
    removeMember,
    leave,
    loadLatest,
    loadOlder,
    loadUntil,
    catchUp,
    receive,
    countNew,
    markRead,
    post,
    edit,
    remove,
  };
});
