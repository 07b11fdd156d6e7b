/** The reply shown with `/train help` and after any command error. GitHub renders it as Markdown. */
export const TRAIN_HELP = `**\`/train\` commands** (first line of a new PR comment):

\`\`\`
/train [NOTEBOOK] [name=value ...] [--gpu TYPE] [--gpus N] [--memory SIZE] [--timeout DURATION] [--spot|--on-demand]
/train cancel [RUN]
/train baseline [NOTEBOOK]
/train status
/train approve
/train help
\`\`\`

- \`NOTEBOOK\`: a \`.ipynb\` path in the repository; leave it out when the PR changes exactly one notebook.
- \`name=value\`: a notebook parameter; the value is a YAML scalar: \`lr=0.01\` (number), \`augment=true\` (boolean),
  \`tag="v1 final"\` (string; quote values with spaces), \`seed=null\` (None), \`run="42"\` (the string "42").
- \`--gpu TYPE\`: a GPU type the repository's \`.github/nbtrain.yml\` allows.
- \`--gpus N\`: how many GPUs.
- \`--memory SIZE\`: e.g. \`16GiB\`, \`64GB\`, \`512MiB\`.
- \`--timeout DURATION\`: e.g. \`90m\`, \`2h\`, \`1h30m\`, \`3600s\`.
- \`--spot\` / \`--on-demand\`: capacity type (spot runs resume from their last checkpoint when reclaimed).
- Flags take \`--flag value\` or \`--flag=value\`.
- \`/train cancel\` cancels this PR's active runs, or the run whose id is given.
- \`/train baseline\` (maintainers) trains the baseline that runs of this PR are compared with, at the PR's merge base,
  with the parameters \`train.baseline\` gives the notebook.
- \`/train approve\` (maintainers): approves a fork's current head commit for training; a new push needs a new approval.

Example: \`/train notebooks/mnist.ipynb lr=0.01 epochs=5 --gpu a10g --timeout 2h\``;
