import type { JsonPath } from "../finding.js";
import { quote, type JsonObject } from "./python-values.js";
import { SchemaChecker, where } from "./schema-checker.js";

/**
 * Checks a cell metadata's `name` (schema pattern `^.+$`, which fastjsonschema anchors with `\Z`:
 * non-empty, no newline) and `tags` (unique strings matching `^[^,]+$`: non-empty, no comma).
 */
export function checkNameAndTags(md: JsonObject, path: JsonPath, c: SchemaChecker): void {
  if ("name" in md && c.string(md.name, [...path, "name"])) {
    const name = md.name as string;
    if (name.length === 0 || name.includes("\n")) {
      c.fail([...path, "name"], `${where([...path, "name"])} must be a non-empty single line: fix or remove it.`);
    }
  }
  if ("tags" in md) checkTags(md.tags, [...path, "tags"], c);
}

function checkTags(tags: unknown, path: JsonPath, c: SchemaChecker): void {
  if (!c.array(tags, path)) return;
  const seen = new Set<string>();
  for (let k = 0; k < tags.length; k++) {
    const tag = tags[k];
    if (typeof tag !== "string") {
      // Built only to report: most tags are fine.
      c.string(tag, [...path, k]);
      continue;
    }
    if (tag.length === 0 || tag.includes(",")) {
      c.fail([...path, k], `${where([...path, k])} ${quote(tag)} is not a valid tag: tags must be non-empty and contain no comma.`);
    } else if (seen.has(tag)) {
      c.fail([...path, k], `${where([...path, k])} ${quote(tag)} repeats an earlier tag: remove the duplicate.`);
    }
    seen.add(tag);
  }
}

