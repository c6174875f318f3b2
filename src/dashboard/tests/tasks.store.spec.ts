// The shared task store: the highest version wins whatever order pushes and answers arrive in, a
// change is shown at once and sent as one PATCH, a 409 brings the current task, a failure undoes it.
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/problem";
import type { Task } from "@/api/types";
import { shouldReplace } from "@/components/tasks/versions";
import { useTasks } from "@/stores/tasks";

function task(fields: Partial<Task> = {}): Task {
  return {
    id: "0190cccc-0000-7000-8000-000000000001",
    project_id: "0190bbbb-0000-7000-8000-000000000001",
    number: 1,
    key: "OPS-1",
    title: "First",
    description: "",
    status: "todo",
    overdue: false,
    priority: "normal",
    labels: [],
    assignee_id: null,
    creator_id: null,
    deadline: null,
    completed_at: null,
    source: "web",
    source_ref: null,
    version: 1,
    created_at: "2026-04-01T10:00:00Z",
    updated_at: "2026-04-01T10:00:00Z",
    position: -1,
    ...fields,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" },
  });
}

describe("shouldReplace", () => {
  it("keeps the highest version", () => {
    expect(shouldReplace(undefined, { version: 1 })).toBe(true);
    expect(shouldReplace({ version: 3 }, { version: 2 })).toBe(false);
    expect(shouldReplace({ version: 3 }, { version: 4 })).toBe(true);
  });

  it("takes the same version again unless a change of ours is on its way", () => {
    expect(shouldReplace({ version: 3 }, { version: 3 })).toBe(true);
    expect(shouldReplace({ version: 3 }, { version: 3 }, { pending: true })).toBe(false);
    expect(shouldReplace({ version: 3 }, { version: 4 }, { pending: true })).toBe(true);
  });

  it("lets nothing older than a deletion back in", () => {
    expect(shouldReplace(undefined, { version: 4 }, { deletedAt: 5 })).toBe(false);
    expect(shouldReplace(undefined, { version: 6 }, { deletedAt: 5 })).toBe(true);
  });
});

describe("useTasks", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("drops pushes older than what it holds, in whatever order they come", () => {
    const store = useTasks();
    expect(store.applyEvent("task.updated", { task: task({ version: 3, title: "Third" }) })).not.toBeNull();
    expect(store.applyEvent("task.updated", { task: task({ version: 2, title: "Second" }) })).toBeNull();
    expect(store.byId.get(task().id)?.title).toBe("Third");
    expect(store.applyEvent("task.updated", { task: task({ version: 4, title: "Fourth" }) })?.title).toBe("Fourth");
    expect(store.applyEvent("task.created", { nothing: true })).toBeNull();
  });

  it("forgets a deleted task and keeps late pushes from bringing it back", () => {
    const store = useTasks();
    store.merge(task({ version: 2 }));
    store.applyEvent("task.deleted", { task: task({ version: 3 }) });
    expect(store.byId.has(task().id)).toBe(false);
    store.applyEvent("task.updated", { task: task({ version: 2 }) });
    expect(store.byId.has(task().id)).toBe(false);
    store.applyEvent("task.restored", { task: task({ version: 4 }) });
    expect(store.byId.get(task().id)?.version).toBe(4);
  });

  it("shows a change at once and sends one PATCH with the version it was made on", async () => {
    const store = useTasks();
    store.merge(task({ version: 5 }));
    const bodies: unknown[] = [];
    const fetch = vi.fn(async (request: Request) => {
      bodies.push(await request.clone().json());
      return json(200, task({ version: 6, status: "done", position: -10 }));
    });
    vi.stubGlobal("fetch", fetch);
    const pending = store.update(task({ version: 5 }), { status: "done", position: -10 });
    expect(store.byId.get(task().id)).toMatchObject({ status: "done", position: -10, version: 5 });
    // The push of the same change arrives before the answer: newer, so it is taken.
    store.applyEvent("task.updated", { task: task({ version: 6, status: "done", position: -10 }) });
    const saved = await pending;
    expect(saved.version).toBe(6);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(bodies).toEqual([{ version: 5, status: "done", position: -10 }]);
  });

  it("on a conflict keeps the task as it is now, from the problem's current", async () => {
    const store = useTasks();
    store.merge(task({ version: 5 }));
    const current = task({ version: 7, status: "in_progress", title: "Renamed elsewhere" });
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(409, { type: "about:blank", title: "Conflict", status: 409, code: "version_conflict", current })),
    );
    const failed = await store.update(task({ version: 5 }), { position: 3 }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).code).toBe("version_conflict");
    expect(store.byId.get(task().id)).toEqual(current);
  });

  it("undoes a change the server refused for another reason", async () => {
    const store = useTasks();
    store.merge(task({ version: 5, title: "Before" }));
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(403, { type: "about:blank", title: "Forbidden", status: 403, code: "forbidden" })),
    );
    await expect(store.update(task({ version: 5 }), { title: "After" })).rejects.toBeInstanceOf(ApiError);
    expect(store.byId.get(task().id)?.title).toBe("Before");
  });

  it("does not let a same-version read hide a change still on its way", async () => {
    const store = useTasks();
    store.merge(task({ version: 5, status: "todo" }));
    let answer: (r: Response) => void = () => undefined;
    vi.stubGlobal("fetch", vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))));
    const pending = store.update(task({ version: 5 }), { status: "done" });
    store.merge(task({ version: 5, status: "todo" }));
    expect(store.byId.get(task().id)?.status).toBe("done");
    await Promise.resolve();
    answer(json(200, task({ version: 6, status: "done" })));
    await pending;
    expect(store.byId.get(task().id)).toMatchObject({ status: "done", version: 6 });
  });
});
