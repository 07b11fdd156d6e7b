import type { Finding, JsonPath } from "./finding.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const NEWLINE = 0x0a;

/**
 * Sticky: from `lastIndex`, what lies before the next bracket: whitespace, separators, scalars
 * and up to 64 strings of at most 200 characters (a quote closes a string unless a backslash
 * escapes it). Lines of source and text are such strings, and one native step over many is much
 * cheaper than a loop per line in unoptimized code; longer strings are left to `indexOf`. The
 * bounds keep the regex's backtracking stack small on any input.
 */
const FILLER = /[^"{}[\]]*(?:"(?:[^"\\]|\\[\s\S]){0,200}"[^"{}[\]]*){0,64}/y;

/** One node per path prefix that some finding needs; offsets are filled by the scan. */
interface Target {
  children: Map<string | number, Target> | null;
  /** Offset of the value's first character, or -1 while unseen. */
  start: number;
  /** Offset of the member name's opening quote when the value sits in an object, else -1. */
  keyStart: number;
}

interface Frame {
  target: Target;
  isArray: boolean;
  index: number;
}

/**
 * Fills `line`, `column` (1-based, in the raw text) and `cell` of every finding that has a `path`.
 *
 * Costs nothing when there are no findings with a path. Otherwise it makes one forward scan of
 * `text`, descending only into the values on the way to a finding and skipping everything else
 * with `indexOf`, so it builds no syntax tree and needs no recursion at any nesting depth.
 * A path that does not exist (a missing key) resolves to its deepest existing ancestor.
 * Findings that already carry a `line` are kept as they are.
 *
 * @param text - the notebook text exactly as decoded from the file (a leading BOM is allowed)
 * @param findings - findings whose `path` and `lineInValue` refer to the document in `text`
 * @param notebook - the parsed document, used to number v3 cells across worksheets
 * @returns new finding objects; the input is not modified
 */
export function locateFindings(text: string, findings: readonly Finding[], notebook?: unknown): Finding[] {
  const pending = findings.filter((f) => f.path !== undefined && f.line === undefined);
  if (pending.length === 0) return findings.map((f) => withCell(f, notebook));

  const root: Target = { children: null, start: -1, keyStart: -1 };
  for (const finding of pending) addTarget(root, finding.path as JsonPath);
  scanDocument(text, root);

  const offsets = new Map<Finding, number>();
  // Findings inside one string value are resolved together, in one pass over that value.
  const inValue = new Map<Target, Finding[]>();
  for (const finding of pending) {
    const { target, offset } = resolve(root, finding.path as JsonPath);
    if (target && finding.lineInValue !== undefined && finding.lineInValue >= 0) {
      const group = inValue.get(target);
      if (group) group.push(finding);
      else inValue.set(target, [finding]);
    } else if (offset >= 0) offsets.set(finding, offset);
  }
  for (const [target, group] of inValue) {
    const lines = [...new Set(group.map((f) => f.lineInValue as number))].sort((a, b) => a - b);
    const starts = offsetsOfLines(text, target.start, lines);
    for (const finding of group) offsets.set(finding, starts.get(finding.lineInValue as number) ?? target.start);
  }
  const positions = positionsOf(text, [...offsets.values()]);
  return findings.map((finding) => {
    const located = withCell(finding, notebook);
    const offset = offsets.get(finding);
    const position = offset === undefined ? undefined : positions.get(offset);
    return position ? { ...located, line: position.line, column: position.column } : located;
  });
}

/** Cell index from a path: `cells[i]` in v4, or worksheets flattened in order in v3. */
function withCell(finding: Finding, notebook: unknown): Finding {
  if (finding.cell !== undefined || !finding.path) return finding;
  const cell = cellIndexOf(finding.path, notebook);
  return cell === undefined ? finding : { ...finding, cell };
}

/** The 0-based cell a path points into, if any; v3 cells are numbered across worksheets. */
export function cellIndexOf(path: JsonPath, notebook?: unknown): number | undefined {
  const [first, second, third, fourth] = path;
  if (first === "cells" && typeof second === "number") return second;
  if (first !== "worksheets" || typeof second !== "number" || third !== "cells" || typeof fourth !== "number") return undefined;
  if (notebook === null || typeof notebook !== "object") return undefined;
  const worksheets = (notebook as Record<string, unknown>).worksheets;
  if (!Array.isArray(worksheets)) return undefined;
  let before = 0;
  for (let w = 0; w < second && w < worksheets.length; w++) {
    const cells = (worksheets[w] as Record<string, unknown> | null)?.cells;
    if (Array.isArray(cells)) before += cells.length;
  }
  return before + fourth;
}

function addTarget(root: Target, path: JsonPath): void {
  let node = root;
  for (const key of path) {
    node.children ??= new Map();
    let child = node.children.get(key);
    if (!child) {
      child = { children: null, start: -1, keyStart: -1 };
      node.children.set(key, child);
    }
    node = child;
  }
}

/**
 * Walks the document once, recording where each target value starts. Values off every target
 * path are skipped without descending; a later duplicate key overwrites an earlier one, as
 * `JSON.parse` does. Stops quietly at the first syntax error.
 */
function scanDocument(text: string, root: Target): void {
  const frames: Frame[] = [];
  let i = skipWhitespace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  let target: Target | null = root;
  let keyStart = -1;
  // Each turn of the loop starts a value at `i`, for `target` (null when off every path).
  for (;;) {
    if (i >= text.length) return;
    if (target) {
      target.start = i;
      target.keyStart = keyStart;
    }
    const c = text.charCodeAt(i);
    if (target?.children && (c === LBRACE || c === LBRACKET)) {
      frames.push({ target, isArray: c === LBRACKET, index: 0 });
      i = skipWhitespace(text, i + 1);
      const next = text.charCodeAt(i);
      if (next === RBRACE || next === RBRACKET) {
        frames.pop();
        i++;
      } else {
        const member = enterMember(text, i, frames[frames.length - 1] as Frame);
        if (!member) return;
        ({ i, target, keyStart } = member);
        continue;
      }
    } else {
      i = skipValue(text, i);
      if (i < 0) return;
    }
    // After a value: close finished containers until a comma opens the next member.
    for (;;) {
      const frame = frames[frames.length - 1];
      if (!frame) return;
      i = skipWhitespace(text, i);
      const d = text.charCodeAt(i);
      if (d === COMMA) {
        frame.index++;
        const member = enterMember(text, skipWhitespace(text, i + 1), frame);
        if (!member) return;
        ({ i, target, keyStart } = member);
        break;
      }
      if (d !== RBRACE && d !== RBRACKET) return;
      frames.pop();
      i++;
    }
  }
}

/** Reads an array slot or an object member name, returning where its value starts. */
function enterMember(text: string, i: number, frame: Frame): { i: number; target: Target | null; keyStart: number } | null {
  const children = frame.target.children as Map<string | number, Target>;
  if (frame.isArray) return { i, target: children.get(frame.index) ?? null, keyStart: -1 };
  if (text.charCodeAt(i) !== QUOTE) return null;
  const end = skipString(text, i);
  if (end < 0) return null;
  const raw = text.slice(i + 1, end - 1);
  let key: string;
  try {
    key = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
  } catch {
    return null;
  }
  const colon = skipWhitespace(text, end);
  if (text.charCodeAt(colon) !== COLON) return null;
  return { i: skipWhitespace(text, colon + 1), target: children.get(key) ?? null, keyStart: i };
}

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === NEWLINE || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Index just past the string that opens at `i`, or -1 when it never closes. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let k = quote - 1;
    while (k > i && text.charCodeAt(k) === BACKSLASH) k--;
    // An even run of backslashes escapes itself, so the quote closes the string.
    if ((quote - 1 - k) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value that starts at `i`, or -1 on a syntax error. Nesting costs a counter, not a stack. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    for (;;) {
      FILLER.lastIndex = i;
      FILLER.test(text);
      i = FILLER.lastIndex;
      if (i >= text.length) return -1;
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = skipString(text, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === LBRACE || d === LBRACKET) depth++;
      else {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
  }
  // Numbers and literals end at the next delimiter.
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === 0x20 || d === NEWLINE || d === 0x0d || d === 0x09) break;
    j++;
  }
  return j > i ? j : -1;
}

/**
 * The node a path names when the document has it, and the offset to report otherwise: the member
 * name of the value, or of its deepest existing ancestor.
 */
function resolve(root: Target, path: JsonPath): { target: Target | null; offset: number } {
  let node = root;
  let offset = root.start;
  for (const key of path) {
    const child = node.children?.get(key);
    if (!child || child.start < 0) return { target: null, offset };
    node = child;
    offset = child.keyStart >= 0 ? child.keyStart : child.start;
  }
  return { target: node, offset };
}

/**
 * Where each wanted line (0-based, sorted) of a string value starts in the raw text. The value is
 * one JSON string with `\n` escapes, or an array of strings that nbformat joins with "". A line
 * that begins right after an element's final newline begins at the next string element.
 */
function offsetsOfLines(text: string, start: number, wanted: number[]): Map<number, number> {
  const starts = new Map<number, number>();
  const first = text.charCodeAt(start);
  if (first !== QUOTE && first !== LBRACKET) return starts;
  let next = 0;
  let seen = 0;
  let firstContent = -1;
  let lastNewline = -1;
  let i = first === QUOTE ? start : skipWhitespace(text, start + 1);
  while (next < wanted.length && i < text.length && text.charCodeAt(i) !== RBRACKET) {
    const isString = text.charCodeAt(i) === QUOTE;
    const end = skipValue(text, i);
    if (end < 0) break;
    if (isString) {
      const contentEnd = end - 1;
      if (firstContent < 0) firstContent = i + 1;
      while (next < wanted.length && wanted[next] === seen) starts.set(wanted[next++] as number, i + 1);
      for (let j = i + 1; next < wanted.length; ) {
        const slash = text.indexOf("\\", j);
        if (slash < 0 || slash >= contentEnd) break;
        if (text.charCodeAt(slash + 1) === 0x6e) {
          seen++;
          lastNewline = slash;
          if (slash + 2 < contentEnd) while (next < wanted.length && wanted[next] === seen) starts.set(wanted[next++] as number, slash + 2);
        }
        j = slash + 2;
      }
    }
    if (first === QUOTE) break;
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1);
  }
  // Lines past the end (or an empty line after the final newline) go to the last newline.
  const fallback = lastNewline >= 0 ? lastNewline : firstContent >= 0 ? firstContent : start;
  for (; next < wanted.length; next++) starts.set(wanted[next] as number, fallback);
  return starts;
}

/** 1-based line and column for each offset, counting newlines once from the start of the text. */
function positionsOf(text: string, offsets: number[]): Map<number, { line: number; column: number }> {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const positions = new Map<number, { line: number; column: number }>();
  let line = 1;
  let lineStart = 0;
  for (const offset of sorted) {
    for (;;) {
      const newline = text.indexOf("\n", lineStart);
      if (newline < 0 || newline >= offset) break;
      line++;
      lineStart = newline + 1;
    }
    positions.set(offset, { line, column: offset - lineStart + 1 });
  }
  return positions;
}
