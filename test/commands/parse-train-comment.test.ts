import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTrainComment } from "../../src/commands/parse-train-comment.js";
import { CommandError, type TrainCommand } from "../../src/commands/train-command.js";

function command(body: string): TrainCommand {
  const result = parseTrainComment(body);
  if (result === null) throw new Error(`not a command: ${body}`);
  if (!result.ok) throw new Error(`unexpected error for ${body}: ${result.error.message}`);
  return result.command;
}

function error(body: string): CommandError {
  const result = parseTrainComment(body);
  if (result === null) throw new Error(`not a command: ${body}`);
  if (result.ok) throw new Error(`expected an error for ${body}, got ${JSON.stringify(result.command)}`);
  return result.error;
}

describe("parseTrainComment", () => {
  it("ignores comments whose first line is not /train", () => {
    expect(parseTrainComment("looks good\n/train nb.ipynb")).toBeNull();
    expect(parseTrainComment("/trainer nb.ipynb")).toBeNull();
    expect(parseTrainComment("> /train nb.ipynb")).toBeNull();
    expect(parseTrainComment("")).toBeNull();
  });

  it("reads a bare /train, leading whitespace and only the first line", () => {
    expect(command("/train")).toEqual({ kind: "run", parameters: {} });
    expect(command("  /train nb.ipynb\r\n--gpus 4")).toEqual({ kind: "run", notebook: "nb.ipynb", parameters: {} });
  });

  it("reads the full run grammar", () => {
    expect(
      command("/train notebooks/mnist.ipynb lr=0.01 epochs=5 --gpu a10g --gpus=2 --memory 64GiB --timeout 1h30m --on-demand"),
    ).toEqual({
      kind: "run",
      notebook: "notebooks/mnist.ipynb",
      parameters: { lr: 0.01, epochs: 5 },
      gpu: "a10g",
      gpus: 2,
      memoryMiB: 65536,
      timeoutSeconds: 5400,
      spot: false,
    });
    expect(command("/train --spot")).toEqual({ kind: "run", parameters: {}, spot: true });
  });

  it("parses parameter values as YAML scalars, with quoting", () => {
    const parsed = command(
      `/train nb.ipynb lr=1e-3 name="a b" flag=true x=null s='single q' n="123" t=yes path=data/x.csv esc=a\\ b hex=0x10 neg=-2`,
    );
    expect(parsed).toMatchObject({
      parameters: { lr: 0.001, name: "a b", flag: true, x: null, s: "single q", n: "123", t: "yes", path: "data/x.csv", esc: "a b", hex: 16, neg: -2 },
    });
    expect(command('/train nb.ipynb msg="say \\"hi\\""')).toMatchObject({ parameters: { msg: 'say "hi"' } });
    expect(command("/train nb.ipynb empty=''")).toMatchObject({ parameters: { empty: "" } });
  });

  it("keeps parameters in the order written", () => {
    const parsed = command("/train nb.ipynb b=1 a=2 c=3");
    expect(parsed.kind === "run" && Object.keys(parsed.parameters)).toEqual(["b", "a", "c"]);
  });

  it("normalises the notebook path and accepts quoted paths with spaces", () => {
    expect(command("/train ./a//b/c.ipynb")).toMatchObject({ notebook: "a/b/c.ipynb" });
    expect(command("/train 'my notebooks/train it.ipynb'")).toMatchObject({ notebook: "my notebooks/train it.ipynb" });
  });

  it("reads /train baseline with and without a notebook", () => {
    expect(command("/train baseline")).toEqual({ kind: "baseline" });
    expect(command("/train baseline notebooks/a.ipynb")).toEqual({ kind: "baseline", notebook: "notebooks/a.ipynb" });
  });

  it("reads cancel, status and help", () => {
    expect(command("/train cancel")).toEqual({ kind: "cancel" });
    expect(command("/train cancel c123456")).toEqual({ kind: "cancel", runId: "c123456" });
    expect(command("/train cancel c123456-r2")).toEqual({ kind: "cancel", runId: "c123456-r2" });
    expect(command("/train status")).toEqual({ kind: "status" });
    expect(command("/train help")).toEqual({ kind: "help" });
    expect(command("/train --help")).toEqual({ kind: "help" });
    expect(command("/train nb.ipynb -h")).toEqual({ kind: "help" });
  });

  it.each([
    ["/train nb.ipynb --gpuz a10g", "unknown-flag", /--gpuz.*Did you mean `--gpu`/],
    ["/train nb.ipynb --verbose", "unknown-flag", /not a \/train flag/],
    ["/train nb.ipynb -x", "unknown-flag", /not a flag/],
    ["/train nb.ipynb --gpus", "missing-value", /--gpus` needs a value/],
    ["/train nb.ipynb --gpu --spot", "missing-value", /--gpu` needs a value/],
    ["/train nb.ipynb --spot=yes", "unexpected-value", /takes no value/],
    ["/train nb.ipynb --gpus 0", "bad-value", /positive whole number/],
    ["/train nb.ipynb --gpus 1.5", "bad-value", /positive whole number/],
    ["/train nb.ipynb --memory lots", "bad-value", /not a memory size/],
    ["/train nb.ipynb --timeout 90", "bad-value", /not a duration/],
    ["/train nb.ipynb --timeout 30m2h", "bad-value", /not a duration/],
    ["/train nb.ipynb --gpu 'a b'", "bad-value", /not a GPU type/],
    ["/train nb.ipynb --gpus 1 --gpus 2", "duplicate-flag", /given twice/],
    ["/train nb.ipynb --spot --on-demand", "conflicting-flags", /contradict/],
    ["/train nb.py", "bad-notebook", /must end in `.ipynb`/],
    ["/train ../other/nb.ipynb", "bad-notebook", /leaves the repository/],
    ["/train a/../../nb.ipynb", "bad-notebook", /leaves the repository/],
    ["/train /etc/nb.ipynb", "bad-notebook", /absolute/],
    ["/train 'C:\\x\\nb.ipynb'", "bad-notebook", /backslash/],
    ["/train .ipynb", "bad-notebook", /must end in/],
    ["/train a.ipynb b.ipynb", "unexpected-argument", /Only one notebook/],
    ["/train nb.ipynb lr=1 lr=2", "duplicate-parameter", /given twice/],
    ["/train nb.ipynb my-lr=1", "bad-parameter", /not a valid parameter name/],
    ["/train nb.ipynb class=1", "bad-parameter", /not a valid parameter name/],
    ["/train nb.ipynb resume=false", "bad-parameter", /`resume` is set by nbtrain itself/],
    ["/train nb.ipynb lr=", "bad-parameter", /value is empty/],
    ["/train nb.ipynb lr=[1,2]", "bad-parameter", /collection/],
    ["/train nb.ipynb x=.inf", "bad-parameter", /finite/],
    ["/train nb.ipynb x=@y", "bad-parameter", /not a valid YAML scalar/],
    ["/train nb.ipynb x=|", "bad-parameter", /multi-line YAML block/],
    ["/train nb.ipynb x=" + "[".repeat(500), "bad-parameter", /not a valid YAML scalar|collection/],
    ["/train nb.ipynb x=!!binary aGk=", "bad-parameter", /./],
    ["/train nb.ipynb name=\"open", "unterminated-quote", /never closed/],
    ["/train status now", "unexpected-argument", /takes no arguments/],
    ["/train cancel a b", "unexpected-argument", /at most one run id/],
    ["/train baseline a.ipynb b.ipynb", "unexpected-argument", /at most one notebook/],
    ["/train baseline epochs=3", "unexpected-argument", /takes a notebook path/],
    ["/train cancel ../../x", "bad-run-id", /not a run id/],
  ])("refuses %s with %s", (body, code, message) => {
    const e = error(body);
    expect(e).toBeInstanceOf(CommandError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("refuses an over-long command without scanning it", () => {
    const e = error(`/train ${"a".repeat(2100)}.ipynb`);
    expect(e.code).toBe("too-long");
    expect(e.message).toMatch(/under 2000/);
  });

  it("never lets user text break out of a code span in an error", () => {
    expect(error("/train nb.ipynb --`rm` x").message).not.toContain("`rm`");
  });

  it("never throws on arbitrary input, and always answers null, a command or an error with a message", () => {
    const flagish = fc.constantFrom("--gpu", "--gpus", "--memory", "--timeout", "--spot", "--on-demand", "--gpu=", "-h", "=", '"', "'", "\\", "..", "/", ".ipynb", "cancel", "status", "help", "x=", "lr=0.1", "\n", " ", "\t", "\u0000", "`");
    const words = fc.array(fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 8 }), flagish), { maxLength: 12 });
    fc.assert(
      fc.property(fc.boolean(), words, (prefixed, parts) => {
        const body = (prefixed ? "/train " : "") + parts.join(prefixed ? " " : "");
        const result = parseTrainComment(body);
        if (result === null) return !/^[\s\uFEFF]*\/train(\s|$)/.test(body.split(/\r\n|\n|\r/, 1)[0] ?? "");
        if (result.ok) return ["run", "cancel", "status", "help"].includes(result.command.kind);
        return result.error instanceof CommandError && result.error.message.length > 10;
      }),
      { numRuns: 3000 },
    );
  });

  it("round-trips any parameter value written quoted", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => !/[\r\n\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029\\"]/.test(s)), (value) => {
        const result = parseTrainComment(`/train nb.ipynb v="${value}"`);
        expect(result).toEqual({ ok: true, command: { kind: "run", notebook: "nb.ipynb", parameters: { v: value } } });
      }),
      { numRuns: 500 },
    );
  });
});
