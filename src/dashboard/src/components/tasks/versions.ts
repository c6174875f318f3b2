// Which copy of a task wins. Pushes of different tasks (and a PATCH's answer racing its own push)
// arrive in any order, so the highest `version` is kept and anything older is dropped (docs/realtime.md).
// The same version read again replaces the copy (`overdue` is worked out at read time and changes
// without a new version), except while a change of ours is on its way: then the screen shows the
// change, not the state before it.

interface Versioned {
  version: number;
}

/** Whether `incoming` should replace `known` (absent: nothing known yet; `deletedAt`: a tombstone's version). */
export function shouldReplace(known: Versioned | undefined, incoming: Versioned, options: { pending?: boolean; deletedAt?: number } = {}): boolean {
  if (options.deletedAt !== undefined && incoming.version <= options.deletedAt) return false;
  if (!known) return true;
  if (incoming.version > known.version) return true;
  return incoming.version === known.version && !options.pending;
}
