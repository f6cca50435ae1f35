import { DEFAULT_PYTHON } from './pythonProbe';

let chosen: string | undefined;

/** The Python a job runs the torch engine in: --python, the depthlab.python setting, or the Python extension's interpreter, as the front end found it. */
export function usePython(python: string | undefined): void {
  chosen = python || undefined;
}

/** The Python chosen for this process, else python3 on PATH (python on Windows). */
export const chosenPython = () => chosen ?? DEFAULT_PYTHON;
