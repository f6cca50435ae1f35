/**
 * The GPU probe, in a process of its own (dist/gpuProbe.js): Dawn and the Vulkan loader write their
 * warnings to the process's stderr, where a user reads them as a crash. The job's process asks this
 * one which adapter there is, keeps what the libraries printed for the job's log, and loads Dawn
 * itself only when there is an adapter to use. Prints one JSON line: the adapter, or why none.
 */
import { findAdapterHere } from './gpuAdapter';

const hardwareOnly = process.argv[2] === 'hardware';
findAdapterHere(hardwareOnly)
  .then(({ summary }) => process.stdout.write(`${JSON.stringify({ summary })}\n`))
  .catch((error: Error) => process.stdout.write(`${JSON.stringify({ error: error.message })}\n`))
  .finally(() => process.exit(0));
