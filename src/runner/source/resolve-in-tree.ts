const MAX_LINK_HOPS = 40;

/**
 * Resolves `target`, a symlink's text, as the kernel would from the folder `from` (both
 * `/`-separated and relative to the tree's root), following the tree's own symlinks. Returns the
 * resolved path's segments, or null when it climbs above the root or loops: a link that would
 * point out of the tree however it is reached.
 */
export function resolveInTree(from: string[], target: string, links: ReadonlyMap<string, string>): string[] | null {
  let hops = 0;
  const walk = (base: string[], text: string): string[] | null => {
    const stack = [...base];
    for (const segment of text.split("/")) {
      if (segment === "" || segment === ".") continue;
      if (segment === "..") {
        if (stack.length === 0) return null;
        stack.pop();
        continue;
      }
      stack.push(segment);
      const link = links.get(stack.join("/"));
      if (link !== undefined) {
        if (++hops > MAX_LINK_HOPS || link.startsWith("/")) return null;
        stack.pop();
        const resolved = walk(stack, link);
        if (resolved === null) return null;
        stack.length = 0;
        stack.push(...resolved);
      }
    }
    return stack;
  };
  if (target.startsWith("/")) return null;
  return walk(from, target);
}
