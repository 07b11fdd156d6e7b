import { describe, expect, it } from "vitest";
import { resolveNotebook } from "../../src/commands/resolve-notebook.js";

describe("resolveNotebook", () => {
  it("takes the named notebook even when the PR changes others", () => {
    expect(resolveNotebook("a.ipynb", ["b.ipynb", "c.ipynb"])).toEqual({ ok: true, command: "a.ipynb" });
  });

  it("takes the only changed notebook when none is named", () => {
    expect(resolveNotebook(undefined, ["nb/train.ipynb", "nb/train.ipynb"])).toEqual({ ok: true, command: "nb/train.ipynb" });
  });

  it("asks for a name when the PR changes no notebook", () => {
    const result = resolveNotebook(undefined, []);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("no-notebook");
      expect(result.error.message).toMatch(/changes no notebook/);
    }
  });

  it("lists the candidates as commands when it is ambiguous", () => {
    const result = resolveNotebook(undefined, ["z.ipynb", "my dir/a.ipynb"]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("ambiguous-notebook");
      expect(result.error.message).toBe(
        "This pull request changes 2 notebooks; name the one to train:\n- `/train 'my dir/a.ipynb'`\n- `/train z.ipynb`",
      );
    }
  });

  it("caps a long candidate list", () => {
    const many = Array.from({ length: 25 }, (_, i) => `nb${String(i).padStart(2, "0")}.ipynb`);
    const result = resolveNotebook(undefined, many);
    expect(!result.ok && result.error.message).toMatch(/changes 25 notebooks[\s\S]*nb09\.ipynb`\n- … and 15 more$/);
  });
});
