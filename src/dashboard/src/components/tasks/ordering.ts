// The board's order within a column: ascending `position`, ties by id, as the API sorts
// (`sort=position`; PostgreSQL compares uuids byte by byte, which is the order of their lower-case
// hex text). A move gives the card a position between its new neighbours, so a drag is one PATCH.
import type { Task } from "@/api/types";

type Placed = Pick<Task, "id" | "position">;

/** The API's `sort=position` order. */
export function byPosition(a: Placed, b: Placed): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A position strictly between `before` and `after` (either may be missing), or null when no double fits. */
export function positionBetween(before: number | null, after: number | null): number | null {
  if (before === null && after === null) return 0;
  if (before === null) return Math.floor((after as number) - 1);
  if (after === null) return Math.ceil(before + 1);
  if (!(before < after)) return null;
  const middle = before + (after - before) / 2;
  return middle > before && middle < after ? middle : null;
}

export interface Placement {
  id: string;
  position: number;
}

/**
 * Where `movedId` goes when dropped between `prevId` and `nextId` of `column` (the target column in
 * its order; it may still hold the moved card, which is ignored). Normally one placement: the moved
 * card alone. Only when the doubles between the neighbours are used up (dozens of drops into the same
 * gap) are the following cards spread out as well, so each needs its own PATCH.
 */
export function planMove(column: readonly Placed[], movedId: string, prevId: string | null, nextId: string | null): Placement[] {
  const others = column.filter((t) => t.id !== movedId);
  let index: number;
  if (prevId !== null && others.some((t) => t.id === prevId)) index = others.findIndex((t) => t.id === prevId) + 1;
  else if (nextId !== null && others.some((t) => t.id === nextId)) index = others.findIndex((t) => t.id === nextId);
  else index = prevId === null ? 0 : others.length;
  const before = others[index - 1]?.position ?? null;
  const after = others[index]?.position ?? null;
  const simple = positionBetween(before, after);
  if (simple !== null) return [{ id: movedId, position: simple }];
  // Spread the moved card and the next `k` cards evenly up to the card after them (or past the end).
  for (let k = 1; ; k *= 2) {
    const run = others.slice(index, index + k);
    const limit = others[index + k]?.position ?? null;
    const start = before as number;
    const end = limit ?? start + run.length + 1;
    const step = (end - start) / (run.length + 2);
    const spaced = Array.from({ length: run.length + 1 }, (_, i) => start + step * (i + 1));
    const distinct = spaced.every((p, i) => p > (i === 0 ? start : (spaced[i - 1] as number))) && (spaced.at(-1) as number) < end;
    if (distinct || limit === null) {
      return [{ id: movedId, position: spaced[0] as number }, ...run.map((t, i) => ({ id: t.id, position: spaced[i + 1] as number }))];
    }
  }
}

/** Insert `task` into `sorted` (kept in `compare` order), replacing an older copy. */
export function insertSorted<T extends { id: string }>(sorted: T[], task: T, compare: (a: T, b: T) => number): T[] {
  const rest = sorted.filter((t) => t.id !== task.id);
  let low = 0;
  let high = rest.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compare(rest[mid] as T, task) < 0) low = mid + 1;
    else high = mid;
  }
  rest.splice(low, 0, task);
  return rest;
}
