import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadRepoConfigText, MAX_CONFIG_BYTES, parseRepoConfig } from "../../src/config/load-repo-config.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/config");
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), "utf8");

const DEFAULT_LIMITS = { output_bytes: 1_000_000, notebook_bytes: 10_000_000, image_bytes: 500_000, widget_state_bytes: 100_000 };
const DEFAULTS = { include: ["**/*.ipynb"], exclude: [], rules: {}, limits: DEFAULT_LIMITS };

function errorOf(text: string): string {
  const result = loadRepoConfigText(text);
  if (result.ok) throw new Error(`expected a config error, got ${JSON.stringify(result.config)}`);
  return result.message;
}

describe("loadRepoConfigText: happy configs", () => {
  it("reads every key of a full config", () => {
    expect(loadRepoConfigText(fixture("happy/full.yml"))).toEqual({
      ok: true,
      config: {
        include: ["notebooks/**/*.ipynb", "examples/*.ipynb"],
        exclude: ["notebooks/scratch/**"],
        rules: { secret: "error", "unpinned-install": "off", "execution-order": "info", "colab-drive-path": "warning" },
        limits: { output_bytes: 2_000_000, notebook_bytes: 20_000_000, image_bytes: 1_000_000, widget_state_bytes: 50_000 },
      },
    });
  });

  it("gives the defaults for an empty or comment-only file", () => {
    expect(loadRepoConfigText("")).toEqual({ ok: true, config: DEFAULTS });
    expect(loadRepoConfigText(fixture("happy/empty.yml"))).toEqual({ ok: true, config: DEFAULTS });
  });

  it("treats a section whose entries are all commented out as absent", () => {
    expect(loadRepoConfigText(fixture("happy/commented-out.yml"))).toEqual({ ok: true, config: DEFAULTS });
  });

  it("fills the limits a config leaves out with their defaults", () => {
    expect(loadRepoConfigText(fixture("happy/partial-limits.yml"))).toEqual({
      ok: true,
      config: { ...DEFAULTS, limits: { ...DEFAULT_LIMITS, output_bytes: 5000 } },
    });
  });

  it("reads YAML 1.2 scalars: `off` stays the string off, not false", () => {
    expect(loadRepoConfigText("rules:\n  secret: off\n")).toEqual({ ok: true, config: { ...DEFAULTS, rules: { secret: "off" } } });
  });
});

describe("loadRepoConfigText: malformed configs name the key", () => {
  it.each([
    ["bad-severity.yml", "rules.secret: expected one of off, info, warning, error"],
    ["unknown-rule.yml", 'rules.secrets: unknown rule, did you mean "secret"? Known rules: read-error,'],
    ["unknown-top-level.yml", 'rule: unknown key, did you mean "rules"? Known keys: include, exclude, rules, limits'],
    ["unknown-limit.yml", "limits.output_size: unknown key. Known keys: output_bytes, notebook_bytes, image_bytes, widget_state_bytes"],
    ["string-limit.yml", 'limits.output_bytes: expected a number, got "1MB"'],
    ["negative-limit.yml", "limits.image_bytes: expected a positive number, got -1"],
    ["fractional-limit.yml", "limits.image_bytes: expected a whole number, got 1.5"],
    ["include-not-list.yml", 'include: expected a list of glob strings, got "**/*.ipynb"'],
    ["include-number.yml", "exclude[1]: expected a string, got 42"],
    ["empty-glob.yml", 'include[0]: expected a non-empty string, got ""'],
    ["top-level-list.yml", "config: expected a mapping (key: value), got a list"],
    ["top-level-scalar.yml", 'config: expected a mapping (key: value), got "just a string"'],
    ["rules-list.yml", "rules: expected a mapping (key: value), got a list"],
  ])("%s", (name, message) => {
    expect(errorOf(fixture(`malformed/${name}`))).toContain(message);
  });

  it.each([
    ["syntax-error.yml", "YAML syntax error at line 3, column 1:"],
    ["duplicate-key.yml", "YAML syntax error at line 3, column 1: Map keys must be unique"],
    ["tab-indent.yml", "YAML syntax error at line 2, column 1: Tabs are not allowed as indentation"],
    ["two-documents.yml", "YAML syntax error at line 3, column 1: a config holds one YAML document, remove the --- separator"],
  ])("%s gives the line and column", (name, message) => {
    expect(errorOf(fixture(`malformed/${name}`))).toContain(message);
  });

  it("reports several bad keys at once, each by its path", () => {
    const message = errorOf("rules:\n  secret: loud\nlimits:\n  output_bytes: 0\n");
    expect(message).toContain("rules.secret: expected one of off, info, warning, error");
    expect(message).toContain("limits.output_bytes: expected a positive number, got 0");
  });

  it("caps the number of problems it lists", () => {
    const text = `rules:\n${Array.from({ length: 12 }, (_, i) => `  bogus-${i}: error\n`).join("")}`;
    const parts = errorOf(text).split("; ");
    expect(parts).toHaveLength(6);
    expect(parts[0]).toMatch(/^rules\.bogus-0: unknown rule\. Known rules: read-error, /);
    expect(parts[4]).toMatch(/^rules\.bogus-4: unknown rule/);
    expect(parts[5]).toBe("(7 more problems not shown)");
  });

  it("refuses more than 500 globs and globs over 1000 characters", () => {
    expect(errorOf(`exclude:\n${'  - "a/**"\n'.repeat(501)}`)).toBe("exclude: expected at most 500 items, got a list");
    expect(errorOf(`include:\n  - "${"a".repeat(1001)}"\n`)).toMatch(/^include\[0\]: expected at most 1000 characters, got "a{40}…"$/);
  });
});

describe("loadRepoConfigText: hostile configs", () => {
  it("refuses __proto__ keys without polluting Object.prototype", () => {
    expect(errorOf(fixture("evil/proto-pollution.yml"))).toBe("__proto__: this key is not allowed, remove it");
    expect(errorOf(fixture("evil/nested-proto.yml"))).toBe("rules.__proto__: this key is not allowed, remove it");
    expect(errorOf(fixture("evil/constructor.yml"))).toBe("constructor: this key is not allowed, remove it");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("refuses an alias bomb before expanding it", () => {
    expect(errorOf(fixture("evil/alias-bomb.yml"))).toMatch(/^config is not usable YAML: Excessive alias count .*. Remove repeated aliases/);
  });

  it("refuses language-specific tags such as !!js/function", () => {
    expect(errorOf(fixture("evil/js-tag.yml"))).toMatch(
      /^YAML syntax error at line 2, column 11: Unresolved tag: tag:yaml\.org,2002:js\/function, a config uses plain values without YAML tags$/,
    );
  });

  it("refuses a file over the size limit without parsing it", () => {
    const huge = `include:\n${'  - "x/**"\n'.repeat(MAX_CONFIG_BYTES / 10 + 1)}`;
    expect(errorOf(huge)).toBe(`config is ${huge.length} characters long, over the 65536-byte limit: a config needs only a few lines`);
  });

  it("refuses deep nesting, in flow and in block style, just under the size limit", () => {
    const depth = MAX_CONFIG_BYTES / 2 - 10;
    expect(errorOf(`include: ${"[".repeat(depth)}${"]".repeat(depth)}`)).toMatch(/^config nests too deeply/);
    expect(errorOf(`include:\n${"- ".repeat(depth)}x`)).toMatch(/^config nests too deeply/);
  });

  it("does not echo a long value back", () => {
    const message = errorOf(`rules:\n  secret: ${"A".repeat(5000)}\n`);
    expect(message.length).toBeLessThan(200);
  });
});

describe("parseRepoConfig (already-parsed values, as Probot's context.config gives them)", () => {
  it("gives the defaults for null and undefined", () => {
    expect(parseRepoConfig(null)).toEqual({ ok: true, config: DEFAULTS });
    expect(parseRepoConfig(undefined)).toEqual({ ok: true, config: DEFAULTS });
  });

  it("validates a plain object", () => {
    expect(parseRepoConfig({ rules: { schema: "warning" } })).toEqual({ ok: true, config: { ...DEFAULTS, rules: { schema: "warning" } } });
  });

  it("accepts an object without a prototype", () => {
    const value = Object.assign(Object.create(null) as object, { exclude: ["old/**"] });
    expect(parseRepoConfig(value)).toEqual({ ok: true, config: { ...DEFAULTS, exclude: ["old/**"] } });
  });

  it("refuses an own __proto__ key, as JSON.parse makes one", () => {
    expect(parseRepoConfig(JSON.parse('{"__proto__": {"polluted": true}}'))).toEqual({
      ok: false,
      message: "__proto__: this key is not allowed, remove it",
    });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it.each([
    [[], "config: expected a mapping (key: value), got a list"],
    [42, "config: expected a mapping (key: value), got 42"],
    ["rules", 'config: expected a mapping (key: value), got "rules"'],
    [{ rules: { secret: true } }, "rules.secret: expected one of off, info, warning, error"],
    [{ limits: { output_bytes: Number.MAX_VALUE } }, "limits.output_bytes: expected at most 9007199254740991, got 1.7976931348623157e+308"],
    [{ include: [null] }, "include[0]: expected a string, got null"],
  ])("refuses %j", (value, message) => {
    const result = parseRepoConfig(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("turns a throwing getter into an error result instead of throwing", () => {
    const value = {
      get rules(): never {
        throw new Error("boom");
      },
    };
    expect(parseRepoConfig(value)).toEqual({ ok: false, message: "config could not be read: boom" });
  });
});

describe("loadRepoConfigText: the train and share sections", () => {
  it("accepts them next to the check settings, so one file configures the whole app", () => {
    const result = loadRepoConfigText("train:\n  permission: maintain\nshare:\n  drive_folder: 1AbCdEfGhIjKlMnOp\n  audience: anyone\n");
    if (!result.ok) throw new Error(result.message);
    expect(result.config.train?.permission).toBe("maintain");
    expect(result.config.share).toMatchObject({ drive_folder: "1AbCdEfGhIjKlMnOp", audience: "anyone", role: "reader" });
  });

  it("names a misspelt key inside them and suggests the right one", () => {
    expect(errorOf("train:\n  permision: maintain\n")).toMatch(/^train\.permision: unknown key, did you mean "permission"\? Known keys: permission, /u);
    expect(errorOf("share:\n  audiense: anyone\n")).toMatch(/^share\.audiense: unknown key, did you mean "audience"\?/u);
  });

  it("names a bad value inside them", () => {
    expect(errorOf("train:\n  permission: owner\n")).toMatch(/^train\.permission: expected one of /u);
  });
});
