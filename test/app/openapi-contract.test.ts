import { describe, expect, it } from "vitest";
import { loadOpenApiContract } from "../support/openapi-contract.js";

// The contract check guards every other GitHub test; these pin down that it catches drift.
const contract = loadOpenApiContract();

describe("OpenAPI contract check", () => {
  it("accepts the requests the app makes", () => {
    expect(contract.check("POST", "/repos/o/r/check-runs", { name: "nbtrain / notebooks", head_sha: "abc", status: "in_progress", started_at: "2026-01-01T00:00:00Z" })).toEqual([]);
    expect(contract.check("GET", "/repos/o/r/contents/a%2Fb%20c.ipynb?ref=abc", undefined)).toEqual([]);
    expect(contract.check("GET", "/api/v3/repos/o/r/pulls/2/files?per_page=100&page=2", undefined)).toEqual([]);
    expect(contract.check("PATCH", "/repos/o/r/issues/comments/9", { body: "x" })).toEqual([]);
  });

  it("rejects an unknown path, an undeclared query parameter and a wrong method", () => {
    expect(contract.check("GET", "/repos/o/r/notebooks", undefined)).toEqual(["GET /repos/o/r/notebooks is not an operation in GitHub's OpenAPI description"]);
    expect(contract.check("GET", "/repos/o/r/pulls/2/files?perpage=100", undefined)).toEqual(['query parameter "perpage" is not declared for /repos/{owner}/{repo}/pulls/{pull_number}/files']);
    expect(contract.check("PUT", "/repos/o/r/check-runs", { name: "x", head_sha: "y" })[0]).toMatch(/is not an operation/u);
  });

  it("validates bodies: required, enum, type, maxItems, maxLength and unknown properties", () => {
    expect(contract.check("POST", "/repos/o/r/check-runs", { name: "x" })).toContain("body.head_sha: required");
    expect(contract.check("POST", "/repos/o/r/check-runs", { name: "x", head_sha: "y", status: "done" })).toEqual([
      'body.status: "done" is not one of ["queued","in_progress","completed"]',
    ]);
    const annotation = { path: "a.ipynb", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" };
    expect(contract.check("PATCH", "/repos/o/r/check-runs/1", { output: { title: "t", summary: "s", annotations: Array(51).fill(annotation) } })).toEqual([
      "body.output.annotations: 51 items, over maxItems 50",
    ]);
    expect(contract.check("PATCH", "/repos/o/r/check-runs/1", { output: { title: "t", summary: "s".repeat(65_536) } })).toEqual(["body.output.summary: longer than maxLength 65535"]);
    expect(contract.check("PATCH", "/repos/o/r/check-runs/1", { output: { title: "t", summary: "s", annotations: [{ ...annotation, annotation_level: "error" }] } })[0]).toMatch(
      /annotation_level: "error" is not one of/u,
    );
    expect(contract.check("POST", "/repos/o/r/issues/1/comments", { body: 5 })).toEqual(["body.body: expected string, got number"]);
    expect(contract.check("POST", "/repos/o/r/issues/1/comments", {})).toEqual(["body.body: required"]);
  });

  it("resolves $ref, oneOf and nullable in the spec", () => {
    const schema = { oneOf: [{ $ref: "#/components/schemas/simple-user" }, { type: "string" as const }] };
    expect(contract.validate(schema, "x", "v")).toEqual([]);
    expect(contract.validate(schema, 5, "v")).toEqual(["v: matches 0 of the oneOf alternatives, expected exactly 1"]);
    expect(contract.validate({ type: "string", nullable: true }, null, "v")).toEqual([]);
    expect(contract.validate({ type: "string" }, null, "v")).toEqual(["v: null is not allowed"]);
    expect(contract.validate({ type: "object", additionalProperties: false, properties: { a: { type: "integer" } } }, { a: 1.5, b: 1 }, "v")).toEqual([
      "v.a: expected integer, got number",
      "v.b: not a property of this operation's body",
    ]);
  });
});
