import * as vscode from 'vscode';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';

/**
 * The Python the torch backend runs in: the `depthlab.python` setting, else the interpreter chosen
 * in the Python extension (its public API, as vscode-python documents it), else none: the job then
 * takes python3 on PATH. DepthLab installs nothing into it.
 */
export async function chosenInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const configured = vscode.workspace.getConfiguration('depthlab').get<string>('python');
  if (configured) return configured;
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const environments = (await PythonExtension.api()).environments;
    const resolved = await environments.resolveEnvironment(environments.getActiveEnvironmentPath(resource));
    return resolved?.executable.uri?.fsPath;
  } catch {
    // The Python extension failing to answer is no reason to fail a job: python3 on PATH is tried.
    return undefined;
  }
}
