import * as vscode from 'vscode';
import { BUNDLED_TASKS } from '../../core/data/bundledData';

const CHOOSE_FILES = 'Choose task files…';

/**
 * Multiple-choice tasks to score beside the loss: bundled ones and JSON Lines files, none by
 * default (Enter skips); null when the user dismisses the choice. `configured` names the config's
 * own `tasks`, scored anyway.
 */
export async function pickTasks(configured: readonly string[] = []): Promise<string[] | null> {
  const items: vscode.QuickPickItem[] = [
    ...Object.keys(BUNDLED_TASKS).map((name) => ({ label: name, description: 'bundled: 200 four-way word clozes from the held-out end of Moby Dick' })),
    { label: CHOOSE_FILES, description: "JSON Lines in lm-evaluation-harness's shape, or MMLU, ARC, HellaSwag exports" },
  ];
  const also = configured.length ? ` (the config's ${configured.join(', ')} too)` : '';
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: `Score multiple-choice tasks at every depth? Enter for none${also}`, ignoreFocusOut: true });
  if (!picked) return null;
  const names = picked.filter((item) => item.label !== CHOOSE_FILES).map((item) => item.label);
  if (!picked.some((item) => item.label === CHOOSE_FILES)) return names;
  const files = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Score these tasks', filters: { 'JSON Lines': ['jsonl', 'json'] } });
  return files ? [...names, ...files.map((uri) => uri.fsPath)] : null;
}
