/**
 * Deterministic mutations of valid notebooks for the differential test: each case breaks (or
 * stretches) one thing, and nbformat is the judge of whether the result is still valid.
 */
export interface Mutant {
  /** What was done, e.g. "cells[1].outputs[0]: remove output_type". */
  name: string;
  bytes: Uint8Array;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const encoder = new TextEncoder();
const WRONG_VALUES: Json[] = [null, true, 0, -1, 1.5, "", "text", [], ["line"], [1], {}, { k: "v" }];

/** All mutants of one base notebook (given as its text). */
export function mutateNotebook(label: string, text: string): Mutant[] {
  const base = JSON.parse(text) as Json;
  const out: Mutant[] = [];
  const add = (name: string, value: Json | string): void => {
    const body = typeof value === "string" ? value : JSON.stringify(value, null, 1);
    out.push({ name: `${label}: ${name}`, bytes: encoder.encode(body) });
  };
  const edit = (name: string, change: (nb: Json) => void): void => {
    const copy = structuredClone(base);
    change(copy);
    add(name, copy);
  };

  add("unchanged", text);
  const sites = objectSites(base);
  sites.forEach((site, s) => {
    const node = get(base, site) as Record<string, Json>;
    const keys = Object.keys(node);
    keys.forEach((key, k) => {
      edit(`${show(site)}: remove ${key}`, (nb) => {
        delete (get(nb, site) as Record<string, Json>)[key];
      });
      // Three wrong values per key, rotating so that every type shows up at every kind of site.
      for (let r = 0; r < 3; r++) {
        const wrong = WRONG_VALUES[(s * 7 + k * 3 + r * 4) % WRONG_VALUES.length] as Json;
        edit(`${show(site)}: ${key} = ${JSON.stringify(wrong)}`, (nb) => {
          (get(nb, site) as Record<string, Json>)[key] = structuredClone(wrong);
        });
      }
    });
    edit(`${show(site)}: add an unknown key`, (nb) => {
      (get(nb, site) as Record<string, Json>)["unknown_key"] = 1;
    });
  });

  const isV4 = typeof base === "object" && base !== null && !Array.isArray(base) && base.nbformat === 4;
  if (isV4) v4Mutations(base as Record<string, Json>, edit);
  else v3Mutations(edit);
  versionMutations(edit, text, add);
  textMutations(text, add, out, label);
  depthMutations(edit);
  return out;
}

type Edit = (name: string, change: (nb: Json) => void) => void;

function v4Mutations(base: Record<string, Json>, edit: Edit): void {
  const cells = (Array.isArray(base.cells) ? base.cells : []) as Array<Record<string, Json>>;
  const codeIndex = cells.findIndex((c) => c.cell_type === "code" && Array.isArray(c.outputs) && c.outputs.length > 0);
  const first = cells.length > 0 ? 0 : -1;
  const ids: Json[] = ["", "a".repeat(64), "a".repeat(65), "bad id", "a\n", "\na", "ü", "a-b_c", "-", 5, null, ["x"], { x: 1 }];
  if (first >= 0) {
    for (const id of ids) {
      edit(`cells[0].id = ${JSON.stringify(id)}`, (nb) => {
        cellsOf(nb)[0]!.id = structuredClone(id);
      });
    }
    edit("cells[0]: remove id", (nb) => {
      delete cellsOf(nb)[0]!.id;
    });
    if (cells.length > 1) {
      edit("cells[1].id duplicates cells[0].id", (nb) => {
        const cs = cellsOf(nb);
        cs[1]!.id = cs[0]!.id ?? "dup";
        cs[0]!.id = cs[1]!.id;
      });
      edit("two cells share an invalid id", (nb) => {
        const cs = cellsOf(nb);
        cs[0]!.id = "bad id";
        cs[1]!.id = "bad id";
      });
      edit("two cells share the invalid id 7", (nb) => {
        const cs = cellsOf(nb);
        cs[0]!.id = 7;
        cs[1]!.id = 7;
      });
      edit("cells ids 1 and true (equal in Python)", (nb) => {
        const cs = cellsOf(nb);
        cs[0]!.id = 1;
        cs[1]!.id = true;
      });
    }
    for (const type of ["foo", "", "Code", "heading", null, 1, ["code"], { t: 1 }]) {
      edit(`cells[0].cell_type = ${JSON.stringify(type)}`, (nb) => {
        cellsOf(nb)[0]!.cell_type = type as Json;
      });
    }
    edit("cells[0] is a string", (nb) => {
      cellsOf(nb)[0] = "cell" as unknown as Record<string, Json>;
    });
    edit("cells[0].source has a number line", (nb) => {
      cellsOf(nb)[0]!.source = ["a", 1];
    });
    edit("cells[0].attachments is a string", (nb) => {
      cellsOf(nb)[0]!.attachments = "x";
    });
    edit("cells[0].attachments holds a non-bundle", (nb) => {
      cellsOf(nb)[0]!.attachments = { "a.png": "x" };
    });
    edit("cells[0].attachments bundle has a number", (nb) => {
      cellsOf(nb)[0]!.attachments = { "a.png": { "image/png": 5 } };
    });
    metadataMutations(edit);
  }
  if (codeIndex >= 0) {
    const path = (nb: Json): Array<Record<string, Json>> => cellsOf(nb)[codeIndex]!.outputs as Array<Record<string, Json>>;
    for (const type of ["foo", "pyout", "", "Stream", null, 0, 1, true, ["stream"], { s: 1 }]) {
      edit(`cells[${codeIndex}].outputs[0].output_type = ${JSON.stringify(type)}`, (nb) => {
        path(nb)[0]!.output_type = type as Json;
      });
    }
    edit(`cells[${codeIndex}].outputs[0] is a list`, (nb) => {
      path(nb)[0] = [] as unknown as Record<string, Json>;
    });
    const bundles: Array<[string, Json]> = [
      ["text/plain", 5], ["text/plain", { a: 1 }], ["text/plain", [1]], ["text/plain", ["a", "b"]], ["text/plain", null],
      ["application/json", { x: [1] }], ["application/json", 5], ["application/vnd.custom+json", [1, { a: 2 }]],
      ["application/json\n", 5], ["application/x\n+json", 5], ["text/plain\n", 5], ["application/jsonx", 5], ["image/png", true],
    ];
    for (const [mime, value] of bundles) {
      for (const kind of ["execute_result", "display_data"]) {
        edit(`${kind} data[${JSON.stringify(mime)}] = ${JSON.stringify(value)}`, (nb) => {
          path(nb).push({ output_type: kind, data: { [mime]: value }, metadata: {}, ...(kind === "execute_result" ? { execution_count: 1 } : {}) });
        });
      }
    }
    const outputs: Json[] = [
      { output_type: "stream", name: "stdout", text: ["a", 1] },
      { output_type: "stream", name: 5, text: "a" },
      { output_type: "error", ename: "E", evalue: "v", traceback: ["t"], text: ["a", 1] },
      { output_type: "error", ename: "E", evalue: "v", traceback: ["t"], text: ["a"] },
      { output_type: "error", ename: "E", evalue: "v", traceback: "t" },
      { output_type: "execute_result", data: {}, metadata: {}, execution_count: -1 },
      { output_type: "execute_result", data: {}, metadata: {}, execution_count: null },
      { output_type: "execute_result", data: [], metadata: {}, execution_count: 1 },
      { output_type: "display_data", data: {}, metadata: [] },
      { output_type: "hologram", text: ["a", 1] },
      { output_type: "hologram", text: ["a"] },
      { output_type: "hologram" },
      { output_type: ["x"] },
      { output_type: "" , text: [1] },
      { output_type: 0, text: [1] },
      { output_type: 2, text: [1] },
      { text: "no type" },
    ];
    outputs.forEach((o, k) => {
      edit(`cells[${codeIndex}] gets output #${k} ${JSON.stringify(o)}`, (nb) => {
        path(nb).push(structuredClone(o) as Record<string, Json>);
      });
    });
    for (const count of [-1, 0, 2 ** 40, 1.5, "1", true]) {
      edit(`cells[${codeIndex}].execution_count = ${JSON.stringify(count)}`, (nb) => {
        cellsOf(nb)[codeIndex]!.execution_count = count as Json;
      });
    }
    edit(`cells[${codeIndex}].attachments on a code cell`, (nb) => {
      cellsOf(nb)[codeIndex]!.attachments = { "a.png": { "image/png": "x" } };
    });
    edit(`cells[${codeIndex}].attachments on a code cell is a list`, (nb) => {
      cellsOf(nb)[codeIndex]!.attachments = [];
    });
  }
  const unknownCells: Json[] = [
    { cell_type: "widget", metadata: {} },
    { cell_type: "widget", metadata: {}, source: ["a", 1] },
    { cell_type: "widget", metadata: {}, source: ["a"], attachments: 5 },
    { cell_type: "widget", metadata: {}, attachments: { a: 5 } },
    { cell_type: "widget", metadata: { tags: ["a", "a"] } },
    { cell_type: "widget", metadata: { name: "" } },
    { cell_type: "widget", metadata: 5 },
    { cell_type: "widget" },
    { cell_type: "widget", metadata: {}, id: 5 },
    { cell_type: "widget", metadata: {}, id: [1] },
    { cell_type: ["x"], metadata: {} },
    { cell_type: 5, metadata: {} },
    { metadata: {} },
  ];
  unknownCells.forEach((cell, k) => {
    edit(`appended cell #${k} ${JSON.stringify(cell)}`, (nb) => {
      cellsOf(nb).push(structuredClone(cell) as Record<string, Json>);
    });
  });
}

function metadataMutations(edit: Edit): void {
  const cellMetadata: Array<[string, Json]> = [
    ["tags", ["a", "a"]], ["tags", ["a,b"]], ["tags", [""]], ["tags", ["a\n"]], ["tags", [1]], ["tags", "a"], ["tags", []],
    ["name", ""], ["name", "a\n"], ["name", "a\nb"], ["name", "\n"], ["name", "ok"], ["name", 5],
    ["jupyter", 5], ["jupyter", { source_hidden: 5 }], ["format", 5], ["collapsed", 1], ["collapsed", true],
    ["scrolled", 1], ["scrolled", 0], ["scrolled", 2], ["scrolled", "auto"], ["scrolled", "x"], ["scrolled", null],
    ["execution", 5], ["execution", { "iopub.status.busy": 5 }], ["execution", { other: 5 }], ["execution", { "a\nb": 5 }],
    ["execution", { "a\n": 5 }], ["execution", { "shell.execute_reply": "t" }], ["trusted", "x"],
  ];
  for (const [key, value] of cellMetadata) {
    for (const index of [0, 1]) {
      edit(`cells[${index}].metadata.${key} = ${JSON.stringify(value)}`, (nb) => {
        const cell = cellsOf(nb)[index];
        if (cell && typeof cell.metadata === "object" && cell.metadata !== null) {
          (cell.metadata as Record<string, Json>)[key] = structuredClone(value);
        }
      });
    }
  }
  const nbMetadata: Array<[string, Json]> = [
    ["kernelspec", { name: "python3" }], ["kernelspec", { name: 1, display_name: "x" }], ["kernelspec", "python3"],
    ["language_info", {}], ["language_info", { name: "python", codemirror_mode: 5 }], ["language_info", { name: "python", codemirror_mode: {} }],
    ["language_info", { name: "python", file_extension: 1 }], ["title", 5], ["authors", {}], ["authors", [5]],
    ["orig_nbformat", "x"], ["orig_nbformat_minor", -5], ["signature", 5], ["anything", [1, [2, [3]]]],
  ];
  for (const [key, value] of nbMetadata) {
    edit(`metadata.${key} = ${JSON.stringify(value)}`, (nb) => {
      const md = (nb as Record<string, Json>).metadata;
      if (typeof md === "object" && md !== null) (md as Record<string, Json>)[key] = structuredClone(value);
    });
  }
}

function v3Mutations(edit: Edit): void {
  const extras: Array<[string, Json]> = [
    ["heading", { cell_type: "heading", metadata: {}, source: "h", level: 0 }],
    ["heading", { cell_type: "heading", source: "h", level: 1.5 }],
    ["html", { cell_type: "html", source: ["<b>"] }],
    ["code", { cell_type: "code", input: ["a", 1], language: "python", outputs: [] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [], prompt_number: null }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "pyout", prompt_number: null }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "pyout", prompt_number: 1, "text/x-custom": 5 }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "display_data", "x/text/plain": "a" }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "display_data", "weird key": "a" }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "display_data", "a/b\n": "a" }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "stream", stream: "stdout", text: ["a", 2] }] }],
    ["code", { cell_type: "code", input: "a", language: "python", outputs: [{ output_type: "execute_result" }] }],
    ["raw", { cell_type: "raw", source: "r", metadata: { tags: ["a", "a"] } }],
    ["markdown", { cell_type: "markdown", source: "r", rendered: ["x"] }],
    ["none", { source: "no type" }],
  ];
  extras.forEach(([kind, cell], k) => {
    edit(`worksheets[0] gets ${kind} cell #${k} ${JSON.stringify(cell)}`, (nb) => {
      const ws = ((nb as Record<string, Json>).worksheets as Array<Record<string, Json>>)[0];
      if (ws && Array.isArray(ws.cells)) ws.cells.push(structuredClone(cell) as Json);
    });
  });
  edit("worksheets[0] is a string", (nb) => {
    (nb as Record<string, Json>).worksheets = ["sheet"];
  });
  edit("a worksheet without cells", (nb) => {
    (nb as Record<string, Json>).worksheets = [{ metadata: {} }];
  });
  edit("top-level orig_nbformat = 0", (nb) => {
    (nb as Record<string, Json>).orig_nbformat = 0;
  });
}

function versionMutations(edit: Edit, text: string, add: (name: string, value: string) => void): void {
  const majors: Json[] = [1, 2, 3, 4, 5, 0, -4, "4", true, null, [4]];
  for (const major of majors) {
    edit(`nbformat = ${JSON.stringify(major)}`, (nb) => {
      (nb as Record<string, Json>).nbformat = major;
    });
  }
  const minors: Json[] = [-1, 0, 1, 2, 3, 4, 5, 6, 99, "5", true, false, null, 1e21];
  for (const minor of minors) {
    edit(`nbformat_minor = ${JSON.stringify(minor)}`, (nb) => {
      (nb as Record<string, Json>).nbformat_minor = minor;
    });
  }
  const literal = (key: string, replacement: string): void => {
    const re = new RegExp(`"${key}": (-?[0-9]+)`);
    if (re.test(text)) add(`${key} written as ${replacement}`, text.replace(re, (_m, n: string) => `"${key}": ${replacement.replace("N", n)}`));
  };
  for (const form of ["N.0", "Ne0", "N.5", "NE+0", "-0"]) {
    literal("nbformat", form);
    literal("nbformat_minor", form);
    literal("execution_count", form);
    literal("prompt_number", form);
    literal("level", form);
  }
}

function textMutations(text: string, add: (name: string, value: string) => void, out: Mutant[], label: string): void {
  const raw = (name: string, bytes: Uint8Array): void => {
    out.push({ name: `${label}: ${name}`, bytes });
  };
  raw("a UTF-8 BOM", encoder.encode(`\ufeff${text}`));
  raw("invalid UTF-8", Uint8Array.from([...encoder.encode(text.slice(0, 40)), 0xff, 0xfe, ...encoder.encode(text.slice(40))]));
  raw("empty", new Uint8Array(0));
  add("truncated", text.slice(0, Math.floor(text.length / 2)));
  add("trailing garbage", `${text}\n}`);
  add("trailing whitespace", `${text}\n\n \t`);
  add("NaN execution_count", text.replace(/"execution_count": (\d+)/, '"execution_count": NaN'));
  add("Infinity in metadata", text.replace('"metadata": {', '"metadata": {"inf": Infinity, "ninf": -Infinity, "nan": NaN, '));
  add("+Infinity in metadata", text.replace('"metadata": {', '"metadata": {"inf": +Infinity, '));
  add("a 4301-digit integer in metadata", text.replace('"metadata": {', `"metadata": {"big": ${"9".repeat(4301)}, `));
  add("a 4300-digit integer in metadata", text.replace('"metadata": {', `"metadata": {"big": ${"9".repeat(4300)}, `));
  add("a 5000-digit float in metadata", text.replace('"metadata": {', `"metadata": {"big": ${"9".repeat(5000)}.5, `));
  const huge = "1" + "0".repeat(400);
  add("a 401-digit integer in metadata", text.replace('"metadata": {', `"metadata": {"big": ${huge}, "neg": -${huge}, `));
  add("a 401-digit execution_count", text.replace(/"execution_count": (\d+)/, `"execution_count": ${huge}`));
  add("a negative 401-digit execution_count", text.replace(/"execution_count": (\d+)/, `"execution_count": -${huge}`));
  add("execution_count 1e400", text.replace(/"execution_count": (\d+)/, '"execution_count": 1e400'));
  add("execution_count Infinity", text.replace(/"execution_count": (\d+)/, '"execution_count": Infinity'));
  add("a 401-digit nbformat_minor", text.replace(/"nbformat_minor": (\d+)/, `"nbformat_minor": ${huge}`));
  add("a 401-digit nbformat", text.replace(/"nbformat": (\d+)/, `"nbformat": ${huge}`));
  add("a 4301-digit execution_count", text.replace(/"execution_count": (\d+)/, `"execution_count": ${"7".repeat(4301)}`));
  add("single quotes", text.replace('"metadata"', "'metadata'"));
  add("a lone surrogate escape in source", text.replace('"metadata": {', '"metadata": {"s": "\\ud800", '));
  add("a control character in a string", text.replace('"metadata": {', '"metadata": {"s": "a\tb", '));
  add("the JSON array of the notebook", `[${text}]`);
  add("a number", "42");
  add("null", "null");
}

function depthMutations(edit: Edit): void {
  const nest = (depth: number, kind: "list" | "dict" | "mixed", leaf: Json): Json => {
    let v: Json = leaf;
    for (let k = 0; k < depth; k++) {
      const asList = kind === "list" || (kind === "mixed" && k % 2 === 0);
      v = asList ? [v] : { a: v };
    }
    return v;
  };
  // The metadata object sits at depth 2: the value at depth 2 + n.
  for (const n of [492, 493, 494, 495, 496, 497]) {
    for (const kind of ["list", "dict", "mixed"] as const) {
      edit(`metadata nested ${n} deep (${kind}, leaf 0)`, (nb) => {
        ((nb as Record<string, Json>).metadata as Record<string, Json>).deep = nest(n, kind, 0);
      });
    }
    edit(`metadata nested ${n} deep (empty list leaf)`, (nb) => {
      ((nb as Record<string, Json>).metadata as Record<string, Json>).deep = nest(n - 1, "list", []);
    });
    edit(`metadata nested ${n} deep (empty dict leaf)`, (nb) => {
      ((nb as Record<string, Json>).metadata as Record<string, Json>).deep = nest(n - 1, "dict", {});
    });
  }
  // The same limits deeper in the document: a cell's metadata, JSON output data, a future key.
  const places: Array<[string, (nb: Json) => Record<string, Json> | null, number]> = [
    ["cells[0].metadata", (nb) => objectAt(nb, ["cells", 0, "metadata"]), 4],
    ["worksheets[0].cells[0].metadata", (nb) => objectAt(nb, ["worksheets", 0, "cells", 0, "metadata"]), 6],
    ["application/json output", (nb) => {
      const cells = cellsOf(nb);
      const code = cells.find((c) => c.cell_type === "code" && Array.isArray(c.outputs));
      if (!code) return null;
      const output: Record<string, Json> = { output_type: "display_data", metadata: {}, data: {} };
      (code.outputs as Json[]).push(output);
      return output.data as Record<string, Json>;
    }, 6],
    ["an unknown top-level key", (nb) => nb as Record<string, Json>, 1],
  ];
  for (const [where, locate, depth] of places) {
    // Absolute depth of the innermost container: depth + n (the value's key adds one level).
    for (const target of [496, 497, 498, 499]) {
      for (const kind of ["list", "dict"] as const) {
        edit(`${where}: innermost ${kind} at depth ${target}`, (nb) => {
          const host = locate(nb);
          if (host) host["application/json"] = nest(target - depth, kind, 0);
        });
      }
    }
  }
  edit("metadata nested 3000 deep", (nb) => {
    ((nb as Record<string, Json>).metadata as Record<string, Json>).deep = nest(3000, "list", 0);
  });
}

/** Paths of the objects worth mutating key by key: every object outside free-form user data. */
function objectSites(root: Json): Path[] {
  const sites: Path[] = [];
  const visit = (v: Json, path: Path, depth: number): void => {
    if (depth > 7 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      // A few elements of each array: first, second and last are where the variety is.
      const picks = new Set([0, 1, v.length - 1].filter((i) => i >= 0 && i < v.length));
      for (const i of picks) visit(v[i] as Json, [...path, i], depth + 1);
      return;
    }
    sites.push(path);
    for (const [key, child] of Object.entries(v)) {
      if (key === "source" || key === "text" || key === "traceback" || key === "input") continue;
      visit(child, [...path, key], depth + 1);
    }
  };
  visit(root, [], 0);
  return sites;
}

function objectAt(root: Json, path: Path): Record<string, Json> | null {
  let v: Json | undefined = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string | number, Json>)[p];
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Json>) : null;
}

function cellsOf(nb: Json): Array<Record<string, Json>> {
  const cells = (nb as Record<string, Json>).cells;
  return (Array.isArray(cells) ? cells : []) as Array<Record<string, Json>>;
}

function get(root: Json, path: Path): Json {
  let v: Json = root;
  for (const p of path) v = (v as Record<string | number, Json>)[p] as Json;
  return v;
}

function show(path: Path): string {
  return path.length === 0 ? "root" : path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
}
