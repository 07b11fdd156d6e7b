/** One module specifier named by a source file. */
export interface ImportRef {
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
  /** `import type` / `export type`: erased at build time, yet still a dependency of the design. */
  typeOnly: boolean;
  dynamic: boolean;
}

type Token =
  | { kind: "word"; text: string; line: number }
  | { kind: "string"; text: string; line: number }
  | { kind: "punct"; text: string; line: number };

// After these words a `/` starts a regular expression, not a division.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
  "yield", "await",
]);

/**
 * Lists the modules a TypeScript/JavaScript file imports: `import ... from`, `export ... from`,
 * `import "x"`, `import("x")` (also in type positions) and `require("x")`.
 * It lexes rather than greps, so that comments, strings, template literals and regular expressions
 * that merely mention an import are not taken for one.
 */
export function readImports(source: string): ImportRef[] {
  const tokens = lex(source);
  const refs: ImportRef[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== "word") continue;
    const next = tokens[i + 1];
    const previous = tokens[i - 1];
    const afterDot = previous?.kind === "punct" && previous.text === ".";
    if (afterDot) continue;
    if (token.text === "from" && next?.kind === "string") {
      refs.push({ specifier: next.text, line: next.line, typeOnly: isTypeOnlyDeclaration(tokens, i), dynamic: false });
    } else if (token.text === "import" && next?.kind === "string") {
      refs.push({ specifier: next.text, line: next.line, typeOnly: false, dynamic: false });
    } else if ((token.text === "import" || token.text === "require") && next?.kind === "punct" && next.text === "(") {
      const argument = tokens[i + 2];
      if (argument?.kind === "string") {
        const typeOnly = previous?.kind === "word" && previous.text === "typeof";
        refs.push({ specifier: argument.text, line: argument.line, typeOnly, dynamic: token.text === "import" });
      }
    }
  }
  return refs;
}

/** Walks back from `from` to the `import`/`export` that opens the declaration. */
function isTypeOnlyDeclaration(tokens: Token[], fromIndex: number): boolean {
  for (let j = fromIndex - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind === "punct" && t.text === ";") return false;
    if (t.kind === "word" && (t.text === "import" || t.text === "export")) {
      const after = tokens[j + 1];
      return after?.kind === "word" && after.text === "type";
    }
  }
  return false;
}

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  // Open template literals: each entry counts the braces of its current `${ }`.
  const templateBraces: number[] = [];
  let line = 1;
  let i = 0;
  const n = source.length;

  const regexMayStart = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.kind === "string") return false;
    if (last.kind === "word") return KEYWORDS_BEFORE_EXPRESSION.has(last.text);
    return !(last.text === ")" || last.text === "]" || last.text === "}");
  };

  // Reads template text from i up to the closing backtick or a `${`; returns true at `${`.
  const readTemplateText = (): boolean => {
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") { i += 2; continue; }
      if (c === "\n") line++;
      if (c === "`") { i++; return false; }
      if (c === "$" && source[i + 1] === "{") { i += 2; return true; }
      i++;
    }
    return false;
  };

  while (i < n) {
    const c = source[i]!;
    if (c === "\n") { line++; i++; continue; }
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === "\n") line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = line;
      let text = "";
      i++;
      while (i < n && source[i] !== c && source[i] !== "\n") {
        if (source[i] === "\\") { text += source[i + 1] ?? ""; i += 2; continue; }
        text += source[i];
        i++;
      }
      i++;
      tokens.push({ kind: "string", text, line: start });
      continue;
    }
    if (c === "`") {
      i++;
      if (readTemplateText()) templateBraces.push(0);
      else tokens.push({ kind: "punct", text: "`", line });
      continue;
    }
    if (c === "{" && templateBraces.length > 0) {
      templateBraces[templateBraces.length - 1]!++;
    }
    if (c === "}" && templateBraces.length > 0) {
      const depth = templateBraces[templateBraces.length - 1]!;
      if (depth === 0) {
        // The `}` closes a `${`: back to template text.
        templateBraces.pop();
        i++;
        if (readTemplateText()) templateBraces.push(0);
        else tokens.push({ kind: "punct", text: "`", line });
        continue;
      }
      templateBraces[templateBraces.length - 1] = depth - 1;
    }
    if (c === "/" && regexMayStart()) {
      i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\") { i += 2; continue; }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(source[i]!)) i++;
      tokens.push({ kind: "punct", text: "regex", line });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(source[j]!)) j++;
      tokens.push({ kind: "word", text: source.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(source[j]!)) j++;
      tokens.push({ kind: "word", text: "0", line });
      i = j;
      continue;
    }
    tokens.push({ kind: "punct", text: c, line });
    i++;
  }
  return tokens;
}
