import { formatBytes } from "./format-bytes.js";
import type { LintRule } from "./lint-rule.js";
import { exceedsJsonSize } from "./measure-json-size.js";

/** Flags saved ipywidgets state (`metadata.widgets`) over `limits.widget_state_bytes`. */
export const widgetStateRule: LintRule = {
  id: "widget-state",
  defaultSeverity: "warning",
  summary: "Saved widget state (`metadata.widgets`) larger than `limits.widget_state_bytes` (100 kB)",
  check({ notebook, limits }) {
    const widgets = notebook.metadata?.widgets;
    if (widgets === undefined) return [];
    const size = exceedsJsonSize(widgets, limits.widget_state_bytes);
    if (size === null) return [];
    return [
      {
        rule: "widget-state",
        severity: "warning",
        message:
          `Saved widget state is ${formatBytes(size)}, over the ${formatBytes(limits.widget_state_bytes)} limit. ` +
          'Turn off "Save Widget State Automatically" in the Widgets menu (or run Widgets > Clear Widget State) and save again, ' +
          "or remove `metadata.widgets` with `nbstripout`.",
        path: ["metadata", "widgets"],
      },
    ];
  },
};
