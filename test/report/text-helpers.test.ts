import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/report/escape-markdown.js";
import { fillTemplate } from "../../src/report/fill-template.js";
import { textSize } from "../../src/report/github-limits.js";
import { truncateText } from "../../src/report/truncate-text.js";

describe("truncateText", () => {
  it("returns text that fits unchanged", () => {
    expect(truncateText("short", 10, "!")).toBe("short");
  });

  it("cuts multi-byte text to the byte budget without splitting a character, and appends the note", () => {
    const text = "🚀é".repeat(1000);
    const cut = truncateText(text, 1001, "\n…cut");
    expect(textSize(cut)).toBeLessThanOrEqual(1001);
    expect(cut.endsWith("\n…cut")).toBe(true);
    expect(cut).not.toContain("\uFFFD");
    expect(Buffer.from(cut, "utf8").toString("utf8")).toBe(cut);
  });

  it("prefers a nearby line break", () => {
    const text = `${"a".repeat(90)}\n${"b".repeat(50)}`;
    expect(truncateText(text, 100, "[cut]")).toBe(`${"a".repeat(90)}\n[cut]`);
  });
});

describe("fillTemplate", () => {
  it("fills placeholders and refuses an unknown one", () => {
    expect(fillTemplate("a {{x}} b {{ y }}", { x: "1", y: "2" })).toBe("a 1 b 2");
    expect(() => fillTemplate("{{missing}}", {})).toThrow("Template placeholder {{missing}} has no value");
  });
});

describe("escapeMarkdown", () => {
  it("neutralises table pipes, HTML and link syntax, and flattens newlines", () => {
    expect(escapeMarkdown("a|b <img src=x> [l](u)\nnext")).toBe("a\\|b \\<img src=x\\> \\[l\\]\\(u\\) next");
  });
});
