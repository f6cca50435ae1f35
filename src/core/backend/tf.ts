// The one TF.js import of the engine. @tensorflow/tfjs registers gradients and chained ops (x.add(y))
// on the same tfjs-core instance that tfjs-node and the wasm backend attach to.
export * from '@tensorflow/tfjs';
