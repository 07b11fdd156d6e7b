import { describe, expect, it } from "vitest";
import { secretRule } from "../../../src/notebook/lint/secret.js";
import { codeCell, lines, markdownCell, notebook, runRule, tokenBody } from "./notebook-builder.js";

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// Built at run time: see tokenBody.
const SECRETS: Array<{ kind: string; value: string; shown: string }> = [
  { kind: "AWS access key id", value: "AK" + "IA" + tokenBody(16, upper), shown: "AKIA…(20 chars)" },
  { kind: "GitHub token", value: "gh" + "p_" + tokenBody(36), shown: "ghp_…(40 chars)" },
  { kind: "GitHub token", value: "gh" + "s_" + tokenBody(36, undefined, 3), shown: "ghs_…(40 chars)" },
  { kind: "GitHub fine-grained token", value: "github" + "_pat_" + tokenBody(22) + "_" + tokenBody(59, undefined, 5), shown: "github_pat_…(93 chars)" },
  { kind: "Google API key", value: "AI" + "za" + tokenBody(35, undefined, 11), shown: "AIza…(39 chars)" },
  { kind: "Slack token", value: "xo" + "xb-" + tokenBody(12, "0123456789") + "-" + tokenBody(24, undefined, 13), shown: "xoxb-…" },
  { kind: "Hugging Face token", value: "h" + "f_" + tokenBody(34, undefined, 17), shown: "hf_…(37 chars)" },
  { kind: "OpenAI API key", value: "sk" + "-proj-" + tokenBody(64, undefined, 19), shown: "sk-proj-…(72 chars)" },
  { kind: "Anthropic API key", value: "sk" + "-ant-api03-" + tokenBody(90, undefined, 23), shown: "sk-ant-…(103 chars)" },
  { kind: "GitLab token", value: "gl" + "pat-" + tokenBody(9, undefined, 67) + "_" + tokenBody(10, undefined, 71), shown: "glpat-…(26 chars)" },
  { kind: "Google OAuth client secret", value: "GOC" + "SPX-" + "a_b-" + tokenBody(24, undefined, 53), shown: "GOCSPX-…(35 chars)" },
  { kind: "Slack webhook URL", value: "https://hooks.slack" + ".com/services/T0123ABCD/B4567EFGH/" + tokenBody(24, undefined, 59), shown: "https://hooks.slack.com/services/T…" },
  { kind: "npm token", value: "np" + "m_" + tokenBody(36, undefined, 61), shown: "npm_…(40 chars)" },
  { kind: "Stripe live key", value: "sk" + "_live_" + tokenBody(30, undefined, 29), shown: "sk_live_…(38 chars)" },
  // Formats whose body may break into short runs at `-` and `_`: no run of 16 letters and digits.
  { kind: "OpenAI API key", value: "sk" + "-proj-" + chunked(48, 83), shown: "sk-proj-…(56 chars)" },
  { kind: "OpenAI API key", value: "sk" + "-svcacct-" + chunked(48, 89), shown: "sk-svcacct-…(59 chars)" },
  { kind: "Anthropic API key", value: "sk" + "-ant-admin01-" + chunked(96, 97), shown: "sk-ant-…(111 chars)" },
  { kind: "Slack token", value: "xo" + "xp-" + "4815162342-" + chunked(24, 101).replaceAll("_", "-"), shown: "xoxp-…" },
];

/** A token body of `length` characters in runs of at most 9 letters and digits, joined by `-` or `_`. */
function chunked(length: number, seed: number): string {
  const body = tokenBody(length, undefined, seed).split("");
  for (let i = 9; i < body.length; i += 10) body[i] = i % 20 === 9 ? "_" : "-";
  return body.join("");
}

describe("secret", () => {
  it.each(SECRETS)("finds a $kind in a source line without echoing it", ({ kind, value, shown }) => {
    const nb = notebook([markdownCell("# Setup\n"), codeCell(lines(`import os\nTOKEN = "${value}"\nprint(1)\n`))]);
    const findings = runRule(secretRule, nb);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ rule: "secret", severity: "error", path: ["cells", 1, "source"], lineInValue: 1 });
    expect(finding?.message).toContain(kind);
    expect(finding?.message).toContain(shown);
    // Not even a long slice of the secret may appear.
    expect(finding?.message).not.toContain(value.slice(-12));
  });

  it("names an AWS secret access key only when it is labelled, and shows only its length", () => {
    const key = tokenBody(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 31);
    const labelled = runRule(secretRule, notebook([codeCell(`aws_secret_access_key = "${key}"\n`)]));
    expect(labelled).toHaveLength(1);
    expect(labelled[0]?.message).toContain("AWS secret access key (40 chars)");
    expect(labelled[0]?.message).not.toContain(key.slice(0, 8));
    expect(runRule(secretRule, notebook([codeCell(`checksum = "${key}"\n`)]))).toEqual([]);
  });

  it("finds a private key block, in a single-string source with \\n escapes inside the code", () => {
    const body = tokenBody(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 37);
    const source = `creds = {\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n",\n}\n`;
    const findings = runRule(secretRule, notebook([codeCell(source)]));
    expect(findings).toMatchObject([{ path: ["cells", 0, "source"], lineInValue: 1 }]);
    expect(findings[0]?.message).toContain("-----BEGIN PRIVATE KEY----- block");
    expect(findings[0]?.message).not.toContain(body.slice(0, 10));
  });

  it("finds secrets printed in outputs: streams, tracebacks and HTML, but never reads images", () => {
    const token = "gh" + "p_" + tokenBody(36, undefined, 41);
    const cell = codeCell("print(os.environ)\n", {
      execution_count: 1,
      outputs: [
        { output_type: "stream", name: "stdout", text: ["env:\n", `GITHUB_TOKEN=${token}\n`] },
        { output_type: "error", ename: "ValueError", evalue: "bad", traceback: ["line one", `bad token ${token}`] },
        { output_type: "display_data", metadata: {}, data: { "text/html": `<b>${token}</b>`, "image/png": `iVBOR${token}` } },
      ],
    });
    const findings = runRule(secretRule, notebook([cell]));
    expect(findings.map((f) => [f.path, f.lineInValue])).toEqual([
      [["cells", 0, "outputs", 0, "text"], 1],
      [["cells", 0, "outputs", 1, "traceback", 1], 0],
      [["cells", 0, "outputs", 2, "data", "text/html"], 0],
    ]);
    expect(findings.every((f) => f.message.includes("an output of this cell"))).toBe(true);
  });

  it.each([
    ["the AWS documentation key", "AKIAIOSFODNN7EXAMPLE"],
    ["the AWS documentation secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["a YOUR_API_KEY placeholder", 'api_key = "YOUR_API_KEY"'],
    ["an x-filled token", "gh" + "p_" + "x".repeat(36)],
    ["an x-filled Google key", "AI" + "za" + "X".repeat(35)],
    ["a key header without key material", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"],
    ["a Slack placeholder", "xo" + "xb-xxxxxxxxxxxx-xxxxxxxxxxxx"],
    ["an OpenAI placeholder", "sk" + "-proj-" + "your-key-here-".repeat(4)],
    ["a token prefix inside a longer identifier", "my_ghp_" + tokenBody(36) + "_suffix"],
  ])("stays quiet on %s", (_name, text) => {
    expect(runRule(secretRule, notebook([codeCell(text), markdownCell(text)]))).toEqual([]);
  });

  it("numbers the line of every hit in a long output", () => {
    const token = "gh" + "o_" + tokenBody(36, undefined, 79);
    const text = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `line ${i} ${token}` : `line ${i}`)).join("\n");
    const nb = notebook([codeCell("run()", { outputs: [{ output_type: "stream", name: "stdout", text }] })]);
    const findings = runRule(secretRule, nb);
    expect(findings.map((f) => f.lineInValue)).toEqual(Array.from({ length: 100 }, (_, i) => i * 3));
  });

  it("reports each kind once per line", () => {
    const token = "gh" + "p_" + tokenBody(36, undefined, 43);
    expect(runRule(secretRule, notebook([codeCell(`a = "${token}"; b = "${token}"\n`)]))).toHaveLength(1);
  });

  it("survives schema-invalid shapes", () => {
    const broken = { nbformat: 4, cells: [null, 3, { cell_type: "code", source: 42, outputs: [null, { output_type: "stream", text: 7 }, { data: "x" }] }] };
    expect(runRule(secretRule, broken)).toEqual([]);
  });

  it("finds a secret split across lines of a source that do not end in a newline", () => {
    const token = "gh" + "p_" + tokenBody(36, undefined, 89);
    const split = ['TOKEN = "' + token.slice(0, 10), token.slice(10, 20), token.slice(20) + '"\n', "print(1)\n"];
    const findings = runRule(secretRule, notebook([codeCell(split)]));
    expect(findings).toMatchObject([{ rule: "secret", path: ["cells", 0, "source"], lineInValue: 0 }]);
    const output = { output_type: "stream", name: "stdout", text: ["ok\n", "key " + token.slice(0, 3), token.slice(3) + "\n"] };
    expect(runRule(secretRule, notebook([codeCell("run()", { outputs: [output] })]))).toMatchObject([
      { path: ["cells", 0, "outputs", 0, "text"], lineInValue: 1 },
    ]);
  });
});
