/**
 * The Python a Colab user pastes to go on with a run from its Drive folder: mount Drive, copy the
 * files the run's latest manifest names into a local checkpoint folder (the store keeps each
 * file version under its own key, so the folder itself is not usable as it is), and set
 * `resume`. Only for a store under My Drive, the folder Colab mounts; null otherwise.
 */
export function colabContinueSnippet(storeUri: string, runPrefix: string): string | null {
  const match = /^gdrive:\/\/MyDrive(\/[^?#]*)?$/u.exec(storeUri.replace(/\/+$/u, ""));
  if (!match) return null;
  const folders = (match[1] ?? "").split("/").filter(Boolean).map((segment) => decodeURIComponent(segment));
  const runFolder = ["/content/drive/MyDrive", ...folders, runPrefix.replace(/\/+$/u, "")].join("/");
  return [
    "from google.colab import drive",
    "drive.mount('/content/drive')",
    "import json, os, shutil",
    `run = ${JSON.stringify(runFolder)}`,
    "checkpoint_dir = '/content/checkpoints'",
    "for f in json.load(open(f'{run}/manifest.json'))['files']:",
    "    target = os.path.join(checkpoint_dir, f['path'])",
    "    os.makedirs(os.path.dirname(target), exist_ok=True)",
    "    shutil.copy(os.path.join(run, f['key']), target)",
    "resume = True  # then run the notebook's cells after its parameters cell",
  ].join("\n");
}
