import { describe, expect, it } from "vitest";
import { checkFromLocation } from "../../src/training/check-from-location.js";

const roots = ["s3://nbtrain-runs/store", "gdrive://MyDrive/colab", "gdrive://folder/0AbCdEfGhIjKlMn/shared", "file:///var/lib/nbtrain"];

describe("checkFromLocation", () => {
  it.each([
    ["c1234567", "run:c1234567"],
    ["s3://nbtrain-runs/store/imports/digits", "s3://nbtrain-runs/store/imports/digits"],
    ["s3://nbtrain-runs/store", "s3://nbtrain-runs/store"],
    ["gdrive://MyDrive/colab/digits/ckpt", "gdrive://MyDrive/colab/digits/ckpt"],
    ["gdrive://folder/0AbCdEfGhIjKlMn/shared/x", "gdrive://folder/0AbCdEfGhIjKlMn/shared/x"],
  ])("accepts %s", (text, from) => {
    expect(checkFromLocation(text, roots)).toEqual({ ok: true, from });
  });

  it.each([
    ["s3://nbtrain-runs/store/../secrets", /`\.\.` segment is not allowed/],
    ["gdrive://MyDrive/colab/%2e%2e/private", /`\.\.` segment is not allowed/],
    ["../other-repo", /`\.\.` segment is not allowed/],
    ["s3://nbtrain-runs/storefront/x", /reads checkpoints only from `s3:\/\/nbtrain-runs\/store`, `gdrive:\/\/MyDrive\/colab`/],
    ["s3://someone-else/store", /NBTRAIN_FROM_LOCATIONS/],
    ["gdrive://MyDrive/private", /reads checkpoints only from/],
    ["gdrive://folder/0ZzZzZzZzZzZzZ/shared", /reads checkpoints only from/],
    ["file:///var/lib/nbtrain/runs", /`file:\/\/` path is not accepted from a comment/],
    ["ftp://host/x", /unknown scheme "ftp"/],
    ["not a run", /neither a run id of this repository nor/],
  ])("refuses %s with what to do", (text, message) => {
    const check = checkFromLocation(text, roots);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toMatch(message);
  });
});
