/**
 * `npm run bench:coldstart`: the webhook function's cold start against a bare Probot 14 handler.
 *
 * Both are bundled the same way (scripts/lib/bundle-function.ts). Each run is a fresh Node process
 * that imports the bundle, which builds Probot and loads the app at import time: Lambda's init
 * phase. The two alternate for RUNS rounds, so machine load hits both alike; medians are printed,
 * with their ratio (goal ≤ 1.3), both bundle sizes (goal: webhook < 3 MB), and the peak RSS.
 * The build also fails if the Drive, S3 or Batch SDK is on the webhook's import-time path
 * (esbuild's metafile, following static imports only).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { buildFunctions } from "../scripts/lib/build-functions.js";
import { bundleFunction } from "../scripts/lib/bundle-function.js";
import { eagerInputs } from "../scripts/lib/eager-inputs.js";
import { findHeavySdks, HEAVY_SDK_PATTERN } from "../scripts/lib/heavy-sdk.js";

const RUNS = Number(process.env.RUNS ?? 9);
const root = path.resolve(import.meta.dirname, "../..");

const { functions } = await buildFunctions(root);
const webhook = functions.find((f) => f.name === "webhook");
if (!webhook) throw new Error("buildFunctions built no webhook function.");
const minimal = await bundleFunction(path.join(root, "bench/lib/minimal-probot-handler.ts"), path.join(root, "dist/bench/coldstart/minimal"), "minimal");

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const baseEnv: NodeJS.ProcessEnv = { ...process.env, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "bench", AWS_LAMBDA_FUNCTION_NAME: "nbtrain-webhook", LOG_LEVEL: "warn", NODE_OPTIONS: "", NBTRAIN_COMPUTE: "off" };
// The deployed configuration: Batch compute and an S3 store (no request is made while loading).
const batchEnv: NodeJS.ProcessEnv = { ...baseEnv, NBTRAIN_COMPUTE: "aws-batch", NBTRAIN_STORE: "s3://nbtrain-bench/runs", AWS_REGION: "us-east-1", NBTRAIN_BATCH_QUEUES: "nbtrain-gpu", AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench" };

/**
 * The child times its own work and reports its peak RSS; process spawn is not counted.
 * "init" imports the bundle (Lambda's init phase). "ready" then hands it a signed `ping`, which
 * both handlers process inline, so the time includes loading the app: the first delivery's cost.
 */
const probe = (file: string, phase: "init" | "ready"): string => `
  import { createHmac } from "node:crypto";
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { handler } = await import(${JSON.stringify(file)});
  if (${JSON.stringify(phase)} === "ready") {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const headers = { "x-github-event": "ping", "x-github-delivery": "cold", "x-hub-signature-256": "sha256=" + createHmac("sha256", "bench").update(body).digest("hex") };
    const response = await handler({ version: "2.0", rawPath: "/", headers, body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } });
    if (response.statusCode !== 200) throw new Error("ping answered " + response.statusCode + ": " + response.body);
  }
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, rss: process.resourceUsage().maxRSS * 1024 }));`;

interface Sample {
  /** Wall time: what Lambda bills and GitHub waits for. */
  ms: number;
  /** CPU time (user + system): steadier than wall time on a shared machine. */
  cpuMs: number;
  rss: number;
}

function measure(file: string, phase: "init" | "ready", env: NodeJS.ProcessEnv): Sample {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe(file, phase)], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as Sample;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const cases = [
  { label: "minimal Probot 14, init", file: minimal.entry, phase: "init", env: baseEnv },
  { label: "nbtrain webhook, init", file: webhook.entry, phase: "init", env: baseEnv },
  { label: "minimal Probot 14, first delivery", file: minimal.entry, phase: "ready", env: baseEnv },
  { label: "webhook + app (checks only), first delivery", file: webhook.entry, phase: "ready", env: baseEnv },
  { label: "webhook + app (Batch + S3), first delivery", file: webhook.entry, phase: "ready", env: batchEnv },
] as const;
const samples = cases.map(() => [] as Sample[]);
for (const c of cases) measure(c.file, c.phase, c.env); // warm the file cache, as a deployed image is
for (let i = 0; i < RUNS; i += 1) cases.forEach((c, k) => samples[k]!.push(measure(c.file, c.phase, c.env)));
const medianMs = samples.map((list) => median(list.map((s) => s.ms)));
const medianCpu = samples.map((list) => median(list.map((s) => s.cpuMs)));
const medianRss = samples.map((list) => median(list.map((s) => s.rss)));

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const entryBytes = (bundle: { entry: string; outputs: Array<{ path: string; bytes: number }> }): number => bundle.outputs.find((o) => o.path === path.resolve(bundle.entry))?.bytes ?? 0;
const totalBytes = (bundle: { outputs: Array<{ bytes: number }> }): number => bundle.outputs.reduce((sum, o) => sum + o.bytes, 0);
console.log(`cold start, median of ${RUNS} fresh processes each (runs interleaved)`);
console.log(`  ${"".padEnd(46)}  wall      CPU   peak RSS   (wall time of each run)`);
cases.forEach((c, k) => console.log(`  ${c.label.padEnd(46)} ${medianMs[k]!.toFixed(0).padStart(5)} ms ${medianCpu[k]!.toFixed(0).padStart(5)} ms  ${mb(medianRss[k]!)}   (${samples[k]!.map((s) => s.ms.toFixed(0)).join(", ")})`));
const ratio = (a: number, b: number): string => `wall ${(medianMs[a]! / medianMs[b]!).toFixed(2)}, CPU ${(medianCpu[a]! / medianCpu[b]!).toFixed(2)}`;
console.log(`  ratio, init (Lambda's init phase):              ${ratio(1, 0)}   (goal ≤ 1.30)`);
console.log(`  ratio, first delivery, checks only:             ${ratio(3, 2)}`);
console.log(`  ratio, first delivery, Batch + S3:              ${ratio(4, 2)}`);
console.log("bundle size (loaded at import: entry + static chunks; with lazy chunks)");
console.log(`  minimal: ${mb(eagerInputs(minimal.metafile, minimal.entry).bytes)} (${mb(totalBytes(minimal))})`);
console.log(`  webhook: ${mb(webhook.eagerBytes)} (${mb(totalBytes(webhook))})   (goal < 3 MB)`);
const eager = eagerInputs(webhook.metafile, webhook.entry).inputs;
const lazyHeavy = findHeavySdks(Object.keys(webhook.metafile.inputs).filter((input) => HEAVY_SDK_PATTERN.test(input)));
console.log(`webhook import-time path: ${eager.length} source files, heavy SDKs on it: ${findHeavySdks(eager).join(", ") || "none"}; bundled lazily: ${lazyHeavy.join(", ") || "none"}`);
