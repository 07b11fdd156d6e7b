import type { JsonPath } from "../finding.js";
import { PyFloat } from "./py-float.js";

/**
 * How deep nbformat 5.5.0 can go. Its reader converts the parsed JSON with a recursive Python
 * function and `isvalid` deep-copies it, so Python's recursion limit (1000 frames, about two
 * per level) bounds the nesting. Measured on Python 3.11 with the root object at depth 1.
 */
export interface NestingLimits {
  /** Deepest an object may sit. */
  object: number;
  /** Deepest any other value (array element, scalar) may sit. */
  value: number;
}

export const V4_NESTING: NestingLimits = { object: 496, value: 497 };
/** v3's reader recurses with fewer frames per list level. */
export const V3_NESTING: NestingLimits = { object: 496, value: 498 };

export interface NestingScan {
  /** The first value nested deeper than nbformat can read, or null. */
  tooDeep: JsonPath | null;
  /** Whether some number is ±Infinity: JSON.parse gives that for a huge literal Python may refuse. */
  hasInfinity: boolean;
}

/**
 * Walks `root`, which sits at `at` in the document, with an explicit stack, so a 100,000-level
 * document costs no call-stack depth. Stops at the first value that is too deep.
 */
export function scanNesting(root: unknown, limits: NestingLimits, at: JsonPath = []): NestingScan {
  let hasInfinity = root === Infinity || root === -Infinity;
  if (!isContainer(root)) return { tooDeep: null, hasInfinity };
  const base = at.length; // the root of the document is depth 1
  const values: unknown[] = [root];
  const keys: Array<string[] | null> = [Array.isArray(root) ? null : Object.keys(root as object)];
  const positions: number[] = [0];
  const path: Array<string | number> = [...at];
  while (values.length > 0) {
    const top = values.length - 1;
    const depth = base + values.length;
    const container = values[top] as unknown[] | Record<string, unknown>;
    const names = keys[top] as string[] | null;
    const pos = positions[top] as number;
    if (pos === 0 && (names === null ? (container as unknown[]).length > 0 && depth + 1 > limits.value : depth > limits.object)) {
      return { tooDeep: path.slice(), hasInfinity };
    }
    const size = names === null ? (container as unknown[]).length : names.length;
    if (pos >= size) {
      values.pop();
      keys.pop();
      positions.pop();
      path.pop();
      continue;
    }
    positions[top] = pos + 1;
    const name = names === null ? pos : (names[pos] as string);
    const child = names === null ? (container as unknown[])[pos] : (container as Record<string, unknown>)[name];
    if (isContainer(child)) {
      path.push(name);
      values.push(child);
      keys.push(Array.isArray(child) ? null : Object.keys(child as object));
      positions.push(0);
    } else if (child === Infinity || child === -Infinity) hasInfinity = true;
  }
  return { tooDeep: null, hasInfinity };
}

function isContainer(v: unknown): boolean {
  return typeof v === "object" && v !== null && !(v instanceof PyFloat);
}
