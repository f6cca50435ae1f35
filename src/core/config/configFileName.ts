/**
 * The name a new config gets: whatever the user typed, ending in `.depthlab.json` exactly once
 * (save dialogs append their filter's extension: `model.depthlab.json.depthlab.json`).
 */
export function configFileName(file: string): string {
  let stem = file;
  while (/\.(json|depthlab)$/.test(stem)) stem = stem.replace(/\.(json|depthlab)$/, '');
  return `${stem}.depthlab.json`;
}
