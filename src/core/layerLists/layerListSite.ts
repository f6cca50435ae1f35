/** A list of layers to keep, found in a config file of one of the formats DepthLab reads and writes. */
export interface LayerListSite {
  format: 'depthlab' | 'fairseq-flag' | 'fairseq-overrides' | 'fairseq-yaml' | 'huggingface';
  /** The list's name in that file: `layersToKeep`, `--decoder-layers-to-keep`, `encoder_layers_to_keep`… */
  key: string;
  /** Where the lens goes: the start of the key (or of the field the list belongs beside). */
  anchor: number;
  /** The characters a write replaces (length 0: insert). JSON formats are edited through their key instead. */
  value: { offset: number; length: number };
  /** The list in the file now; undefined when absent or empty (all layers kept). */
  kept?: number[];
  /** The model's depth N when the file says it. */
  layers?: number;
}

/** A text edit as jsonc-parser and VS Code both express it. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export function parseLayerList(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0 || parts.some((part) => !/^\d+$/.test(part))) return undefined;
  return parts.map(Number);
}

/** The depth the picker offers: what the file declares, else enough for every listed layer. */
export function siteDepth(site: LayerListSite): number | undefined {
  return site.layers ?? (site.kept ? Math.max(...site.kept) + 1 : undefined);
}
