/**
 * The size limits that apply when `.github/nbtrain.yml` sets none. Plain data, apart from the zod
 * schema, so that `nbtrain check` without a config file never loads the validation library.
 */
export const DEFAULT_LIMITS = {
  /** One output's serialized size before `output-size` fires. */
  output_bytes: 1_000_000,
  /** The whole file's size before `notebook-size` fires; GitHub struggles to render beyond this. */
  notebook_bytes: 10_000_000,
  /** One embedded image (decoded) before `large-image` fires. */
  image_bytes: 500_000,
  /** Serialized `metadata.widgets` before `widget-state` fires. */
  widget_state_bytes: 100_000,
} as const;

/** The globs a check covers when the config names none. */
export const DEFAULT_INCLUDE: readonly string[] = ["**/*.ipynb"];
