import type { TrainJob } from "./compute.js";
import { runnerEnvironment } from "./runner-environment.js";

/**
 * What a runner inherits from the server. The server's environment holds the App's private key
 * and webhook secret; the job must never see them, so only this allow-list (plus store and
 * toolchain settings) passes.
 */
const INHERITED_ENV = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
  "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "CUDA_HOME", "HF_HOME", "TORCH_HOME",
  "XDG_CACHE_HOME", "GOOGLE_APPLICATION_CREDENTIALS", "NBTRAIN_PYTHON", "NBTRAIN_STOP_GRACE",
]);
const INHERITED_PREFIXES = ["LC_", "AWS_", "NBTRAIN_S3_", "NBTRAIN_DRIVE_"];

export interface RunnerChildEnvInput {
  /** The server's environment. */
  source: NodeJS.ProcessEnv;
  /** Extra variable names the runner may inherit, besides the built-in allow-list. */
  passEnv: readonly string[];
  job: TrainJob;
  attempt: number;
  cudaVisibleDevices: string | undefined;
  /** The invocation's own variables, applied last. */
  extra: Record<string, string>;
}

/** The environment of one attempt of a local runner: the allow-listed server variables and the job's own. */
export function runnerChildEnv(input: RunnerChildEnvInput): NodeJS.ProcessEnv {
  const extra = new Set(input.passEnv);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(input.source)) {
    if (value === undefined) continue;
    if (INHERITED_ENV.has(name) || extra.has(name) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  Object.assign(env, runnerEnvironment(input.job), { NBTRAIN_ATTEMPT: String(input.attempt) });
  if (input.cudaVisibleDevices !== undefined) env.CUDA_VISIBLE_DEVICES = input.cudaVisibleDevices;
  Object.assign(env, input.extra);
  return env;
}
