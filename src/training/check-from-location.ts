import { parseStoreUri, redactUri, type StoreLocation } from "../storage/parse-store-uri.js";

export type FromCheck = { ok: true; from: string } | { ok: false; message: string };

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function describeRoots(roots: string[]): string {
  return roots.length > 0 ? roots.map((root) => `\`${redactUri(root)}\``).join(", ") : "(none)";
}

/** Whether `inner` lies at or under `root`: same bucket or Drive root, and its path starts with the root's. */
function isWithin(inner: StoreLocation, root: StoreLocation): boolean {
  if (inner.kind === "s3" && root.kind === "s3") {
    if (inner.bucket !== root.bucket || inner.endpoint !== root.endpoint) return false;
    return root.prefix === "" || inner.prefix === root.prefix || inner.prefix.startsWith(`${root.prefix}/`);
  }
  if (inner.kind === "gdrive" && root.kind === "gdrive") {
    if (inner.root.kind !== root.root.kind || (inner.root.kind === "folder" && root.root.kind === "folder" && inner.root.id !== root.root.id)) return false;
    return root.folders.every((folder, index) => inner.folders[index] === folder);
  }
  return false;
}

/**
 * `/train … --from SOURCE` on a pull request: a run id (of the same repository, checked by the
 * caller against the registry), or an s3:// or gdrive:// folder inside one of the store locations
 * the deployment is configured for (its store and NBTRAIN_FROM_LOCATIONS). Anything else, a
 * file:// path or a `..` segment among them, is refused with what to write instead: a commenter
 * must not make the bot read where it was not meant to.
 */
export function checkFromLocation(text: string, roots: string[]): FromCheck {
  const refuse = (why: string): FromCheck => ({ ok: false, message: `\`--from ${text}\`: ${why}` });
  if (/(^|[/\\])\.\.([/\\]|$)/.test(text) || /%2e%2e/i.test(text)) return refuse("a `..` segment is not allowed; name the folder itself.");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (RUN_ID.test(text)) return { ok: true, from: `run:${text}` };
    return refuse("is neither a run id of this repository nor an `s3://` or `gdrive://` folder.");
  }
  let location: StoreLocation;
  try {
    location = parseStoreUri(text);
  } catch (error) {
    return refuse((error as Error).message);
  }
  if (location.kind === "file") return refuse(`a \`file://\` path is not accepted from a comment; use a folder inside ${describeRoots(roots)}.`);
  for (const root of roots) {
    let parsed: StoreLocation;
    try {
      parsed = parseStoreUri(root);
    } catch {
      continue;
    }
    if (isWithin(location, parsed)) return { ok: true, from: text };
  }
  return refuse(`this deployment reads checkpoints only from ${describeRoots(roots.filter((root) => !root.startsWith("file:")))}; copy the folder there, or ask the app's operator to add its location to \`NBTRAIN_FROM_LOCATIONS\`.`);
}
