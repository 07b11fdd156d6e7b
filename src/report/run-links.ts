import { driveColabUrl } from "../links/drive-colab-url.js";
import { RUN_FILES } from "../runs/run-layout.js";
import type { ReportLink } from "./run-report-input.js";

/** Where a run's logs are: a CloudWatch stream (Batch) or a file on the bot's machine (local). */
export type LogLocation = { kind: "cloudwatch"; region: string; group: string; stream: string } | { kind: "file"; path: string };

/** What the store knows beyond the URI. */
export interface RunLinkOptions {
  /** The Drive file id of the executed notebook (a `gdrive://` store): it then opens in Colab with one click. */
  driveNotebookId?: string | null;
}

/**
 * Links to a run's executed notebook, checkpoints and logs. S3 objects link to the S3
 * console, file-store paths and local logs are shown as paths, a Drive notebook opens in Colab
 * when its file id is known (else it and the checkpoints are shown by path), and CloudWatch streams link to the console.
 */
export function runLinks(storeUri: string, runPrefix: string, logs?: LogLocation, options: RunLinkOptions = {}): ReportLink[] {
  const links: ReportLink[] = [];
  const base = storeUri.replace(/\/+$/u, "");
  const s3 = /^s3:\/\/([^/?]+)\/?([^?]*)/u.exec(base);
  if (s3) {
    const prefix = `${s3[2] ? `${s3[2].replace(/\/+$/u, "")}/` : ""}${runPrefix}`;
    const console = (key: string) => `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(s3[1]!)}?prefix=${encodeURIComponent(key)}`;
    links.push({ label: "Executed notebook", url: console(`${prefix}output.ipynb`) });
    links.push({ label: "Checkpoints", url: `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(s3[1]!)}?prefix=${encodeURIComponent(`${prefix}${RUN_FILES.checkpoints}`)}` });
  } else if (base.startsWith("file://")) {
    const root = decodeURIComponent(base.slice("file://".length));
    links.push({ label: "Executed notebook", path: `${root}/${runPrefix}${RUN_FILES.output}` });
    links.push({ label: "Checkpoints", path: `${root}/${runPrefix}${RUN_FILES.checkpoints}` });
  } else if (base.startsWith("gdrive://")) {
    const folder = decodeURIComponent(base.slice("gdrive://".length));
    if (options.driveNotebookId) links.push({ label: "Executed notebook (Open in Colab)", url: driveColabUrl(options.driveNotebookId) });
    else links.push({ label: "Executed notebook (in Google Drive; open it with Colab to continue)", path: `${folder}/${runPrefix}${RUN_FILES.output}` });
    links.push({ label: "Checkpoints (in Google Drive, where Colab sees them after drive.mount)", path: `${folder}/${runPrefix}${RUN_FILES.checkpoints}` });
  }
  if (logs?.kind === "cloudwatch") links.push({ label: "Logs (CloudWatch)", url: cloudWatchUrl(logs) });
  else if (logs?.kind === "file") links.push({ label: "Log on the bot's machine", path: logs.path });
  return links;
}

/** The CloudWatch console encodes path parts twice, with `$` for `%`. */
function cloudWatchUrl(logs: { region: string; group: string; stream: string }): string {
  const part = (text: string) => encodeURIComponent(encodeURIComponent(text)).replace(/%/gu, "$");
  const region = encodeURIComponent(logs.region);
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${part(logs.group)}/log-events/${part(logs.stream)}`;
}
