// Bulk changes of a task list: one PATCH per selected task with the version it was read at, a few at
// a time, and each task's outcome kept so the failures can be named.

export interface BulkResult<T> {
  done: T[];
  failed: { item: T; error: unknown }[];
}

/** Run `apply` for every item, at most `parallel` at once, in the items' order of starting. */
export async function runBulk<T, R>(items: readonly T[], apply: (item: T) => Promise<R>, parallel = 4): Promise<BulkResult<T>> {
  const result: BulkResult<T> = { done: [], failed: [] };
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await apply(item);
        result.done.push(item);
      } catch (error) {
        result.failed.push({ item, error });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return result;
}
