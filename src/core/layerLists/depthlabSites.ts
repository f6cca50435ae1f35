import { findNodeAtLocation, getNodeValue, parseTree } from 'jsonc-parser';
import { configSchema } from '../config/schema';
import type { LayerListSite } from './layerListSite';

const DEFAULT_LAYERS = configSchema.parse({}).model.layers;

export interface DepthlabLensSites {
  /** Start of the `layerdrop` key, where "Train with LayerDrop" goes. */
  train?: number;
  /** `layersToKeep`, anchored on its key, else on `model.layers` (or `model`, or the top of the file). */
  layersToKeep: LayerListSite;
}

/** Where the lenses of a `*.depthlab.json` go; tolerant of a file being typed (never throws). */
export function depthlabSites(text: string): DepthlabLensSites {
  const root = parseTree(text);
  const node = (path: Array<string>) => (root ? findNodeAtLocation(root, path) : undefined);
  const keyOffset = (path: Array<string>) => node(path)?.parent?.offset;
  const layersValue: unknown = node(['model', 'layers']) && getNodeValue(node(['model', 'layers'])!);
  const keepNode = node(['layersToKeep']);
  const keepValue: unknown = keepNode && getNodeValue(keepNode);
  const kept = Array.isArray(keepValue) && keepValue.length > 0 && keepValue.every((n) => Number.isInteger(n) && n >= 0) ? keepValue : undefined;
  return {
    train: keyOffset(['layerdrop']),
    layersToKeep: {
      format: 'depthlab',
      key: 'layersToKeep',
      anchor: keyOffset(['layersToKeep']) ?? keyOffset(['model', 'layers']) ?? keyOffset(['model']) ?? 0,
      value: keepNode ? { offset: keepNode.offset, length: keepNode.length } : { offset: 0, length: 0 },
      kept,
      layers: Number.isInteger(layersValue) && (layersValue as number) > 0 ? (layersValue as number) : DEFAULT_LAYERS,
    },
  };
}
