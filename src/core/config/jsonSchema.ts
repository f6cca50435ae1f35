import { z } from 'zod';
import { configSchema } from './schema';

/** The JSON Schema editors validate `*.depthlab.json` with (input side: defaults make fields optional). */
export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }),
    title: 'DepthLab config',
    description: 'A DepthLab run: task, data, model, LayerDrop, training, pruning and the layers to keep.',
  };
}
