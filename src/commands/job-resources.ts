/** What one run gets, after the command's flags are checked against the repository's limits. */
export interface JobResources {
  /** A key of the repo config's `train.gpus`. */
  gpuType: string;
  gpus: number;
  vcpus: number;
  memoryMiB: number;
  timeoutSeconds: number;
  spot: boolean;
  /** The AWS Batch job queue and job definition for this GPU type and capacity type. */
  queue: string;
  jobDefinition: string;
}
