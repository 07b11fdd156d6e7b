import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { localRunRecordSchema, type LocalRunRecord } from "./local-run-record.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/**
 * The local backend's persisted queue: one JSON file per run in `queueDir`, each written atomically,
 * so that a restart finds every run in the state it was last reported in.
 */
export class LocalRunQueue {
  constructor(
    private readonly queueDir: string,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  async prepare(): Promise<void> {
    await mkdir(this.queueDir, { recursive: true });
  }

  async write(record: LocalRunRecord): Promise<void> {
    await writeFileAtomic(this.pathOf(record.job.runId), `${JSON.stringify(record, null, 2)}\n`);
  }

  async remove(runId: string): Promise<void> {
    await rm(this.pathOf(runId), { force: true });
  }

  /** Every readable record, in file-name order. An unreadable file is moved aside and logged. */
  async load(): Promise<LocalRunRecord[]> {
    const records: LocalRunRecord[] = [];
    for (const name of (await readdir(this.queueDir)).sort()) {
      if (!name.endsWith(".json")) continue;
      const path = join(this.queueDir, name);
      try {
        const record = localRunRecordSchema.parse(JSON.parse(await readFile(path, "utf8")));
        if (`${record.job.runId}.json` !== name) throw new Error(`it holds run ${record.job.runId}`);
        records.push(record);
      } catch (error) {
        // Keep the evidence but out of the way, so one bad file never blocks the queue.
        this.log(`queue file ${path} is unreadable and was moved aside to ${path}.corrupt`, error);
        await rename(path, `${path}.corrupt`).catch(() => {});
      }
    }
    return records;
  }

  private pathOf(runId: string): string {
    return join(this.queueDir, `${runId}.json`);
  }
}
