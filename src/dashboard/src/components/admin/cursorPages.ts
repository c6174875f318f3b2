// Paging through a cursor-paged list: the API gives only the next page's cursor, so the cursors of
// the pages seen are kept to step back. An answer that arrives after a newer request is dropped
// (filters typed quickly must not show an older filter's results).
import { computed, ref, shallowRef } from "vue";

export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
}

export function useCursorPages<T>(fetch: (cursor: string | null) => Promise<CursorPage<T>>) {
  const items = shallowRef<T[]>([]);
  const index = ref(0);
  const hasNext = ref(false);
  const loaded = ref(false);
  let cursors: (string | null)[] = [null];
  let sequence = 0;

  async function show(at: number): Promise<void> {
    const mine = ++sequence;
    const page = await fetch(cursors[at] ?? null);
    if (mine !== sequence) return;
    items.value = page.items;
    index.value = at;
    hasNext.value = page.next_cursor !== null;
    cursors = cursors.slice(0, at + 1);
    if (page.next_cursor !== null) cursors.push(page.next_cursor);
    loaded.value = true;
  }

  return {
    items,
    /** The page shown, counted from 1. */
    page: computed(() => index.value + 1),
    hasPrevious: computed(() => index.value > 0),
    hasNext,
    loaded,
    /** From the start (after the filters changed). */
    first: () => {
      cursors = [null];
      return show(0);
    },
    next: () => (hasNext.value ? show(index.value + 1) : Promise.resolve()),
    previous: () => (index.value > 0 ? show(index.value - 1) : Promise.resolve()),
    /** The same page again (after a change on it). */
    reload: () => show(index.value),
  };
}
