// The board's order: the API's sort reproduced, a position between neighbours, and the rare case
// where the doubles between two cards run out.
import { describe, expect, it } from "vitest";

import { byPosition, insertSorted, planMove, positionBetween } from "@/components/tasks/ordering";

const card = (id: string, position: number) => ({ id, position });

describe("byPosition", () => {
  it("orders by position, then by id as the server does", () => {
    const cards = [card("c", 2), card("b", 1), card("a", 1), card("d", -5)];
    expect([...cards].sort(byPosition).map((c) => c.id)).toEqual(["d", "a", "b", "c"]);
  });
});

describe("positionBetween", () => {
  it("takes the middle of two neighbours", () => {
    expect(positionBetween(-3, -2)).toBe(-2.5);
    expect(positionBetween(0.25, 0.5)).toBe(0.375);
  });

  it("goes below the first card and above the last by at least one", () => {
    expect(positionBetween(null, -7)).toBe(-8);
    expect(positionBetween(null, 0.5)).toBe(-1);
    expect(positionBetween(-7, null)).toBe(-6);
    expect(positionBetween(2.5, null)).toBe(4);
    expect(positionBetween(null, null)).toBe(0);
  });

  it("answers null when no double lies between", () => {
    expect(positionBetween(1, 1)).toBeNull();
    expect(positionBetween(2, 1)).toBeNull();
    expect(positionBetween(1, 1 + Number.EPSILON)).toBeNull();
  });
});

describe("planMove", () => {
  const column = [card("a", -3), card("b", -2), card("c", -1)];

  it("places a card between the neighbours it was dropped between, in one change", () => {
    expect(planMove(column, "x", "a", "b")).toEqual([{ id: "x", position: -2.5 }]);
    expect(planMove(column, "x", null, "a")).toEqual([{ id: "x", position: -4 }]);
    expect(planMove(column, "x", "c", null)).toEqual([{ id: "x", position: 0 }]);
    expect(planMove([], "x", null, null)).toEqual([{ id: "x", position: 0 }]);
  });

  it("ignores the moved card's own place when it moves within its column", () => {
    expect(planMove(column, "a", "b", "c")).toEqual([{ id: "a", position: -1.5 }]);
    expect(planMove(column, "c", null, "a")).toEqual([{ id: "c", position: -4 }]);
  });

  it("uses whichever neighbour it knows (the other may be out of view)", () => {
    expect(planMove(column, "x", "a", null)).toEqual([{ id: "x", position: -2.5 }]);
    expect(planMove(column, "x", null, "c")).toEqual([{ id: "x", position: -1.5 }]);
  });

  it("keeps halving a gap for dozens of drops before it needs more than one change", () => {
    let before = card("a", 0);
    const after = card("b", 1);
    let drops = 0;
    for (;;) {
      const plan = planMove([before, after], `x${drops}`, before.id, after.id);
      if (plan.length > 1) break;
      before = card(`x${drops}`, plan[0]!.position);
      drops++;
    }
    expect(drops).toBeGreaterThan(40);
  });

  it("spreads the following cards when the gap is used up, keeping the order", () => {
    const tight = [card("a", 1), card("b", 1 + Number.EPSILON), card("c", 1 + 2 * Number.EPSILON), card("d", 5)];
    const plan = planMove(tight, "x", "a", "b");
    expect(plan[0]!.id).toBe("x");
    const placed = new Map(tight.map((c) => [c.id, c.position]));
    for (const p of plan) placed.set(p.id, p.position);
    const order = [...placed.entries()].sort((p, q) => p[1] - q[1]).map(([id]) => id);
    expect(order).toEqual(["a", "x", "b", "c", "d"]);
    expect(new Set(placed.values()).size).toBe(5);
  });

  it("spreads cards sharing one position too", () => {
    const tied = [card("a", 1), card("b", 1), card("c", 1)];
    const plan = planMove(tied, "x", "a", "b");
    const placed = new Map(tied.map((c) => [c.id, c.position]));
    for (const p of plan) placed.set(p.id, p.position);
    expect([...placed.entries()].sort((p, q) => p[1] - q[1]).map(([id]) => id)).toEqual(["a", "x", "b", "c"]);
  });
});

describe("insertSorted", () => {
  it("puts a task in its place and replaces an older copy", () => {
    const list = [card("a", 1), card("b", 2), card("c", 3)];
    expect(insertSorted(list, card("x", 2.5), byPosition).map((c) => c.id)).toEqual(["a", "b", "x", "c"]);
    expect(insertSorted(list, card("a", 9), byPosition).map((c) => c.id)).toEqual(["b", "c", "a"]);
  });
});
