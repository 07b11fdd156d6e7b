import { describe, expect, it } from "vitest";
import { batchJobTags, tagValue } from "../../src/compute/batch-job-tags.js";
import { stripCredentials } from "../../src/compute/runner-environment.js";
import { trainJob } from "./train-job-fixture.js";

describe("batchJobTags", () => {
  it("keeps values to AWS's tag alphabet and 256 characters", () => {
    const tags = batchJobTags(trainJob({ notebook: `notebooks/(draft) #1 ${"x".repeat(300)}.ipynb` }));
    const notebook = tags["nbtrain:notebook"]!;
    expect(notebook.startsWith("notebooks/_draft_ _1 xxx")).toBe(true);
    expect(notebook).toHaveLength(256);
    for (const [key, value] of Object.entries(tags)) {
      expect(key.length).toBeLessThanOrEqual(128);
      expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    }
    expect(tagValue("données/é.ipynb")).toBe("données/é.ipynb");
  });
});

describe("stripCredentials", () => {
  it("drops userinfo from a store URI and leaves the rest", () => {
    expect(stripCredentials("s3://AKIA:se/cr+et@bucket/prefix")).toBe("s3://bucket/prefix");
    expect(stripCredentials("s3://token@bucket/prefix")).toBe("s3://bucket/prefix");
    expect(stripCredentials("file:///var/nbtrain/store")).toBe("file:///var/nbtrain/store");
    expect(stripCredentials("gdrive://MyDrive/runs/a@b")).toBe("gdrive://MyDrive/runs/a@b");
  });
});
