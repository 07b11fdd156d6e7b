import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { readImports, type ImportRef } from "./read-imports.js";

/**
 * Folders under `src/` that compute without I/O. `runs/` is among them: its registry reads and
 * writes run records only through the `Store` port it is handed, never through an adapter.
 */
export const PURE_ROOMS = ["notebook", "commands", "links", "config", "report", "runs", "review-copies/plan"];

/** Folders a pure folder may use besides the pure ones: general helpers with no I/O. */
export const HELPER_ROOMS = ["util"];

/** Folders that talk to the outside world; each stands alone so that any can be swapped. */
export const ADAPTER_ROOMS = ["storage", "compute", "github"];

/**
 * The ports: interfaces an adapter folder publishes for others to code against. A pure folder or
 * another adapter may import them with `import type` (erased at build, so it loads no adapter code).
 */
export const PORTS = ["storage/store.ts", "compute/compute.ts"];

/** Node modules that reach a disk, a socket or a process: none of them belongs in a pure folder. */
const IO_BUILTINS = new Set(["fs", "net", "tls", "dgram", "http", "https", "http2", "child_process"]);

/** Client libraries of the services the app talks to. */
const SDK_PREFIXES = ["@aws-sdk/", "@smithy/", "@googleapis/", "googleapis", "google-auth-library", "probot", "@octokit/"];

export type ImportRule = "pure-no-io" | "pure-no-adapter" | "pure-only-core" | "adapter-no-adapter" | "only-app-imports-app" | "no-circle";

export interface ImportViolation {
  rule: ImportRule;
  /** The importing file, relative to the repository (e.g. `src/notebook/x.ts`); for a circle, its first file. */
  file: string;
  /** The specifier as written; for a circle, the files of the cycle joined by ` -> `. */
  specifier: string;
  line: number;
  /** For a circle: every file of its strongly connected component, sorted. */
  component?: string[];
  message: string;
}

const RULE_TEXT: Record<ImportRule, string> = {
  "pure-no-io": "a pure folder may not import node:fs/net/http/child_process or an SDK",
  "pure-no-adapter": "a pure folder may not import an adapter folder (only `import type` of a port)",
  "pure-only-core": "a pure folder imports only pure folders and src/util/, never a capability or an entry point",
  "adapter-no-adapter": "an adapter may not import another adapter (only `import type` of a port)",
  "only-app-imports-app": "src/app/ composes the capabilities; nothing else under src/ imports it, not even its types",
  "no-circle": "no import circles between files",
};

/**
 * Reads every import of every `.ts` file below `srcDir` and returns what breaks the layering rules.
 * `srcDir` is the `src/` folder; files are named relative to its parent, as `src/...`.
 */
export function checkImportRules(srcFolder: string): ImportViolation[] {
  const srcDir = path.resolve(srcFolder);
  const root = path.dirname(srcDir);
  const files = listSourceFiles(srcDir);
  const violations: ImportViolation[] = [];
  const graph = new Map<string, { target: string; ref: ImportRef }[]>();

  for (const file of files) {
    const fromRoom = roomOf(srcDir, file);
    const edges: { target: string; ref: ImportRef }[] = [];
    graph.set(file, edges);
    for (const ref of readImports(readFileSync(file, "utf8"))) {
      const name = path.relative(root, file);
      const report = (rule: ImportRule, detail: string) =>
        violations.push({
          rule,
          file: name,
          specifier: ref.specifier,
          line: ref.line,
          message: `${name}:${ref.line} imports "${ref.specifier}": ${detail} (rule ${rule}: ${RULE_TEXT[rule]})`,
        });

      if (!ref.specifier.startsWith(".")) {
        if (PURE_ROOMS.includes(fromRoom) && isIoModule(ref.specifier)) {
          report("pure-no-io", `src/${fromRoom}/ is pure`);
        }
        continue;
      }
      const target = resolveRelative(file, ref.specifier);
      if (target.startsWith(srcDir + path.sep)) edges.push({ target, ref });
      const toRoom = roomOf(srcDir, target);
      if (toRoom === fromRoom) continue;
      if (toRoom === "app" && !PURE_ROOMS.includes(fromRoom)) report("only-app-imports-app", `src/app/ sits above src/${fromRoom || "."}/`);
      if (!ADAPTER_ROOMS.includes(toRoom)) {
        // An app, capability or runner module brings its adapters with it.
        if (PURE_ROOMS.includes(fromRoom) && !PURE_ROOMS.includes(toRoom) && !HELPER_ROOMS.includes(toRoom)) {
          report("pure-only-core", `src/${fromRoom}/ is pure and src/${toRoom || "."}/ is not`);
        }
        continue;
      }
      const port = ref.typeOnly && PORTS.includes(path.relative(srcDir, target).split(path.sep).join("/"));
      if (port) continue;
      if (PURE_ROOMS.includes(fromRoom)) {
        report("pure-no-adapter", `src/${fromRoom}/ is pure and src/${toRoom}/ is an adapter`);
      } else if (ADAPTER_ROOMS.includes(fromRoom)) {
        report("adapter-no-adapter", `src/${fromRoom}/ and src/${toRoom}/ are both adapters`);
      }
    }
  }

  for (const { cycle, component } of findCycles(graph)) {
    const names = cycle.map((f) => path.relative(root, f));
    const members = component.map((f) => path.relative(root, f)).sort();
    const first = graph.get(cycle[0]!)!.find((e) => e.target === (cycle[1] ?? cycle[0]))!;
    const chain = [...names, names[0]!].join(" -> ");
    violations.push({
      rule: "no-circle",
      file: names[0]!,
      specifier: chain,
      line: first.ref.line,
      component: members,
      message:
        `${names[0]}:${first.ref.line} starts an import circle: ${chain}` +
        (members.length > names.length ? ` (one of the circles among ${members.join(", ")})` : "") +
        ` (rule no-circle: ${RULE_TEXT["no-circle"]})`,
    });
  }
  return violations;
}

/** `src/review-copies/plan/x.ts` is in room `review-copies/plan`; `src/app/x.ts` in `app`. */
export function roomOf(srcDir: string, file: string): string {
  const parts = path.relative(srcDir, file).split(path.sep);
  const nested = parts.slice(0, 2).join("/");
  if (parts.length > 2 && [...PURE_ROOMS, ...ADAPTER_ROOMS].includes(nested)) return nested;
  return parts.length > 1 ? parts[0]! : "";
}

function isIoModule(specifier: string): boolean {
  const bare = specifier.startsWith("node:") ? specifier.slice("node:".length) : specifier;
  if (IO_BUILTINS.has(bare.split("/")[0]!)) return true;
  return SDK_PREFIXES.some((prefix) => bare === prefix.replace(/\/$/, "") || bare.startsWith(prefix));
}

/** NodeNext specifiers name the built `.js`; the source is the `.ts` beside it. */
function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, ".ts"), `${target}.ts`, path.join(target, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return target;
}

function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSourceFiles(full));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

/**
 * One cycle per strongly connected component (Tarjan), as a file path that returns to its start:
 * a component of N files may hold several circles, but one is enough to name where to cut.
 */
function findCycles(graph: Map<string, { target: string }[]>): { cycle: string[]; component: string[] }[] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const { target } of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!indexOf.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(target)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).some((e) => e.target === node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indexOf.has(node)) visit(node);

  return components.map((component) => ({ cycle: shortestCycle(graph, new Set(component)), component }));
}

/** Breadth-first from the component's first file (by name) back to itself, inside the component. */
function shortestCycle(graph: Map<string, { target: string }[]>, members: Set<string>): string[] {
  const start = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const { target } of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const cycle = [node];
        while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0]!)!);
        return cycle;
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}
