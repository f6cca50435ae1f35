import { parseLayerList, type LayerListSite } from './layerListSite';

/**
 * fairseq layer lists in command lines (`--decoder-layers-to-keep 0,2,4`, `--model-overrides
 * "{'decoder_layers_to_keep':'0,2,4'}"`) and in Hydra YAML (`decoder_layers_to_keep: 0,2,4`).
 * The depth comes from `--decoder-layers N` / `decoder_layers: N` in the same file.
 */
export function fairseqSites(text: string): LayerListSite[] {
  const sites: LayerListSite[] = [];
  const depth = (side: string) => {
    const declared = new RegExp(`--${side}-layers[= ]+(\\d+)|^\\s*${side}_layers\\s*:\\s*(\\d+)`, 'm').exec(text);
    return declared ? Number(declared[1] ?? declared[2]) : undefined;
  };
  const add = (format: LayerListSite['format'], key: string, side: string, anchor: number, valueOffset: number, value: string) =>
    sites.push({ format, key, anchor, value: { offset: valueOffset, length: value.length }, kept: parseLayerList(value), layers: depth(side) });

  for (const m of text.matchAll(/--(encoder|decoder)-layers-to-keep([= ]+)(['"]?)([\d, ]*)/g)) {
    add('fairseq-flag', `--${m[1]}-layers-to-keep`, m[1], m.index, m.index + m[0].length - m[4].length, m[4]);
  }
  for (const m of text.matchAll(/(['"])(encoder|decoder)_layers_to_keep\1\s*:\s*(['"])([\d, ]*)\3/g)) {
    const valueOffset = m.index + m[0].length - 1 - m[4].length;
    add('fairseq-overrides', `${m[2]}_layers_to_keep`, m[2], m.index, valueOffset, m[4]);
  }
  for (const m of text.matchAll(/^([ \t]*)(encoder|decoder)_layers_to_keep[ \t]*:[ \t]*(['"]?)(null|~|[\d, ]*)\3/gm)) {
    const value = m[4] === 'null' || m[4] === '~' ? m[4] : m[4].trimEnd();
    const valueOffset = m.index + m[0].length - (m[3] ? 1 : 0) - m[4].length;
    add('fairseq-yaml', `${m[2]}_layers_to_keep`, m[2], m.index + m[1].length, valueOffset, value);
  }
  return sites.sort((a, b) => a.anchor - b.anchor);
}
