import { findNodeAtLocation, getNodeValue, parseTree, type Node } from 'jsonc-parser';
import { parseLayerList, type LayerListSite } from './layerListSite';

/**
 * Hugging Face config.json: the depth is `num_hidden_layers` (or `encoder_layers` / `decoder_layers`
 * for encoder-decoder models) and LayerDrop is `layerdrop` / `encoder_layerdrop` / `decoder_layerdrop`.
 * Transformers has no field for which layers to keep, so the chosen layers are written beside them as
 * `[encoder_|decoder_]layers_to_keep`, fairseq's name; PretrainedConfig keeps unknown keys, so the
 * file still loads, and the depth keys are left alone because the checkpoint beside it still has N layers.
 */
export function huggingFaceSites(text: string): LayerListSite[] {
  const root = parseTree(text);
  if (!root || root.type !== 'object') return [];
  const node = (key: string) => findNodeAtLocation(root, [key]);
  const int = (key: string) => {
    const value: unknown = node(key) && getNodeValue(node(key)!);
    return Number.isInteger(value) ? (value as number) : undefined;
  };
  const keyOffset = (n: Node) => n.parent!.offset;
  const site = (key: string, anchorKeys: string[], layers: number | undefined): LayerListSite[] => {
    const anchorNode = anchorKeys.map(node).find((n) => n !== undefined);
    if (!anchorNode) return [];
    const existing = node(key);
    const value: unknown = existing && getNodeValue(existing);
    const kept = Array.isArray(value) ? (value.every((n) => Number.isInteger(n) && n >= 0) ? value : undefined) : typeof value === 'string' ? parseLayerList(value) : undefined;
    return [
      {
        format: 'huggingface',
        key,
        anchor: keyOffset(anchorNode),
        value: existing ? { offset: existing.offset, length: existing.length } : { offset: anchorNode.offset + anchorNode.length, length: 0 },
        kept,
        layers,
      },
    ];
  };
  const sides = (['encoder', 'decoder'] as const).flatMap((side) =>
    node(`${side}_layerdrop`) || node(`${side}_layers`)
      ? site(`${side}_layers_to_keep`, [`${side}_layerdrop`, `${side}_layers`], int(`${side}_layers`) ?? int('num_hidden_layers'))
      : [],
  );
  if (sides.length > 0) return sides;
  return site('layers_to_keep', ['layerdrop', 'num_hidden_layers'], int('num_hidden_layers'));
}
