import * as tf from '../tf';
import type { BackendDescription } from '../backendDescription';

/**
 * libtensorflow through @tensorflow/tfjs-node(-gpu), an optional package the user installs. Both
 * packages register the same TF.js backend name ('tensorflow'); they share the engine with our
 * tfjs-core because TF.js keeps its engine in a global.
 */
function tensorflow(name: 'tensorflow-gpu' | 'tensorflow', npmPackage: string, device: string): BackendDescription {
  return {
    name,
    device: name === 'tensorflow-gpu' ? 'gpu' : 'cpu',
    memory: name === 'tensorflow-gpu' ? 'gpu' : 'process',
    threading: 'engine',
    products: 'libtensorflow',
    models: 'depthlab',
    async activate(auto) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(npmPackage);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
        // auto lists what it passed over in a few words; asked for by name, the package and how to add it.
        if (auto) throw new Error('not installed');
        throw new Error(
          `${npmPackage} is not installed: npm install ${npmPackage} in the workspace (or the folder the depthlab.nodeModules setting names); its install downloads libtensorflow${name === 'tensorflow-gpu' ? ' for CUDA' : ''} from Google's servers, so it needs a network`,
        );
      }
      if (!(await tf.setBackend('tensorflow'))) throw new Error('failed to initialise');
      return device;
    },
    deactivate() {},
  };
}

export const TENSORFLOW_GPU = tensorflow('tensorflow-gpu', '@tensorflow/tfjs-node-gpu', 'CUDA GPU through libtensorflow');
export const TENSORFLOW = tensorflow('tensorflow', '@tensorflow/tfjs-node', 'CPU through libtensorflow');
