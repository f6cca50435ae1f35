import * as vscode from 'vscode';
import { BUNDLED_TASKS } from '../../core/config/bundledData';

const CHOOSE_FILES = 'Choose task files…';
const SUBLAYERS = 'Attention and MLP apart';

/** What an analysis measures beside the loss. */
export interface Measurements {
  tasks: string[];
  sublayers: boolean;
}

/**
 * What to measure beside the loss, none by default (Enter skips): bundled tasks and JSON Lines
 * task files, and each layer's attention and MLP apart; null when the user dismisses the choice.
 * `configured` names the config's own `tasks`, scored anyway.
 */
export async function pickMeasurements(configured: readonly string[] = []): Promise<Measurements | null> {
  const items: vscode.QuickPickItem[] = [
    ...Object.keys(BUNDLED_TASKS).map((name) => ({ label: name, description: 'task: 200 four-way word clozes from the held-out end of Moby Dick' })),
    { label: CHOOSE_FILES, description: "tasks in lm-evaluation-harness's shape, or MMLU, ARC, HellaSwag exports (JSON Lines)" },
    { label: SUBLAYERS, description: "each layer's attention and MLP removed alone, then a greedy search over them (BlockPruner)" },
  ];
  const also = configured.length ? ` (the config's ${configured.join(', ')} too)` : '';
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: `Measure more than the loss? Enter for no more${also}`, ignoreFocusOut: true });
  if (!picked) return null;
  const labels = picked.map((item) => item.label);
  const tasks = labels.filter((label) => label !== CHOOSE_FILES && label !== SUBLAYERS);
  if (labels.includes(CHOOSE_FILES)) {
    const files = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Score these tasks', filters: { 'JSON Lines': ['jsonl', 'json'] } });
    if (!files) return null;
    tasks.push(...files.map((uri) => uri.fsPath));
  }
  return { tasks, sublayers: labels.includes(SUBLAYERS) };
}

/** The picked measurements as a job request's fields (none when nothing was picked). */
export const measurementRequest = ({ tasks, sublayers }: Measurements) => ({ ...(tasks.length && { tasks }), ...(sublayers && { sublayers }) });
