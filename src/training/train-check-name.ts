/** Every training check run's name starts with this; the notebook path follows. */
export const TRAIN_CHECK_PREFIX = "nbtrain / train: ";

/** The check run name of a run of `notebook`; long paths keep their end, which names the file. */
export function trainCheckName(notebook: string): string {
  const room = 200 - TRAIN_CHECK_PREFIX.length;
  return `${TRAIN_CHECK_PREFIX}${notebook.length > room ? `…${notebook.slice(-(room - 1))}` : notebook}`;
}

/** Check run buttons (`requested_action`); GitHub allows 3, labels of at most 20 characters. */
export const CANCEL_ACTION = { label: "Cancel", description: "Stop this training run", identifier: "nbtrain-cancel" } as const;
export const RERUN_ACTION = { label: "Re-run", description: "Train again with the same command", identifier: "nbtrain-rerun" } as const;
export const CONTINUE_ACTION = { label: "Continue", description: "Next segment from the latest checkpoint", identifier: "nbtrain-continue" } as const;
