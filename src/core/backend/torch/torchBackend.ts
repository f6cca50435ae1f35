import * as tf from '../tf';
import type { BackendDescription } from '../backendDescription';
import { chosenPython } from './pythonChoice';
import { probePython, probeText, whatIsMissing, type PythonProbe } from './pythonProbe';

let probed: PythonProbe | undefined;
const onGpu = () => Boolean(probed?.devices?.length);

/**
 * The user's own PyTorch, in the Python they chose: transformers' modeling code computes Hugging
 * Face models on CUDA, ROCm, Apple MPS or the CPU, and DepthLab orchestrates from TypeScript
 * (torchEngine.ts). `auto` takes it only with a GPU, and only for Hugging Face folders.
 */
export const TORCH: BackendDescription = {
  name: 'torch',
  get device() {
    return onGpu() ? 'gpu' : 'cpu';
  },
  get memory() {
    return onGpu() ? 'gpu' : 'process';
  },
  threading: 'engine',
  products: "PyTorch's, through transformers' own modeling code",
  models: 'transformers',
  async activate(auto) {
    const probe = probePython(chosenPython());
    const missing = whatIsMissing(probe);
    if (missing) throw new Error(missing);
    if (auto && !probe.devices?.length) throw new Error(`${probe.python} has torch ${probe.torch} but no GPU (CUDA, ROCm or MPS)${probe.devicesError ? `: ${probe.devicesError}` : ''}`);
    probed = probe;
    // DepthLab's side only tokenizes and counts: TF.js's plain backend is enough, and starts at once.
    if (!(await tf.setBackend('cpu'))) throw new Error('failed to initialise');
    return probeText(probe);
  },
  deactivate() {},
};
