/** Writes MiB the way `--memory` reads them: 16384 → `16GiB`, 1536 → `1.5GiB`, 512 → `512MiB`. */
export function formatMemory(mib: number): string {
  if (mib >= 1024) return `${Number((mib / 1024).toFixed(2))}GiB`;
  return `${mib}MiB`;
}
