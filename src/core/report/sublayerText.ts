import { bytesText, countText, errorText } from './depthTable';
import { withinNoise } from '../evaluate/standardError';
import type { PartIncrease } from '../statistics/partImportance';
import type { SublayerRow } from '../prune/sublayerSearch';

/** Why no sub-block cut is written out: say it once, beside the search. */
export const HUGGING_FACE_PARTS_NOTE =
  "not exported: transformers has no config key that leaves out one layer's attention or MLP, so a Hugging Face folder can only lose whole layers (depthlab export --layers)";

/** A DepthLab run's sub-block cut at the search's row `k` (searchSummary's), as the export command that writes it. */
export function ownRunExportNote(search: readonly SublayerRow[], layers: number): string {
  const k = withinNoiseRows(search);
  if (k === 0) return 'depthlab export <config> --skip-blocks attention:<layer>,mlp:<layer> leaves out single blocks (model.skipBlocks in the exported config)';
  const removed = search[k].removed;
  const gone = (layer: number) => removed.filter((block) => block.layer === layer).length === 2;
  const keep = Array.from({ length: layers }, (_, l) => l).filter((l) => !gone(l));
  const blocks = removed.filter((block) => !gone(block.layer)).map((block) => `${block.part}:${block.layer}`);
  return `the ${k} blocks above: depthlab export <config> --layers ${keep.join(',')}${blocks.length ? ` --skip-blocks ${blocks.join(',')}` : ''} (model.skipBlocks in the exported config)`;
}

/** Each layer's attention and MLP removed alone, then the greedy search over them, as text tables. */
export function sublayerText(parts: readonly PartIncrease[], search: readonly SublayerRow[], exportNote: string): string[] {
  const increases = parts.map((p) => [errorText(p.attention, p.attentionStdErr), errorText(p.mlp, p.mlpStdErr)]);
  const width = Math.max('attention'.length, ...increases.flat().map((text) => text.length));
  const full = search[0];
  const cells = search.map((row, k) => {
    const block = row.removed.at(-1);
    const delta = row.loss - full.loss;
    return [
      String(k),
      block ? `${block.part} ${block.layer}` : '(none)',
      errorText(row.loss, row.stdErr),
      k === 0 ? '+0.0000' : `${delta >= 0 ? '+' : ''}${errorText(delta, row.deltaStdErr)}`,
      countText(row.parameters),
      bytesText(row.weightBytes),
      row.tokensPerSecond === undefined ? '' : Math.round(row.tokensPerSecond).toLocaleString('en-US'),
    ];
  });
  const summary = searchSummary(search);
  const header = ['removed', 'last block out', 'valid loss', 'Δ loss', 'params', 'weights', 'tok/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [
    '',
    "attention and MLP, each removed alone (loss increase ± paired error):",
    `layer  ${'attention'.padStart(width)}  ${'mlp'.padStart(width)}`,
    ...parts.map((p, l) => `${String(p.layer).padStart(5)}  ${increases[l][0].padStart(width)}  ${increases[l][1].padStart(width)}`),
    '',
    'sublayer search (BlockPruner: each round removes the block that costs least, on top of those gone):',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...(summary ? [summary] : []),
    `sub-block cuts: ${exportNote}`,
  ];
}

/**
 * The search in one sentence: the most blocks it removes with the loss within noise of the full
 * model (or not above it), which, and what that saves; or that the first removal already costs.
 */
export function searchSummary(search: readonly SublayerRow[]): string | undefined {
  if (search.length < 2) return undefined;
  const full = search[0];
  const k = withinNoiseRows(search);
  if (k === 0) return `Sublayer search: removing any one block raises the loss by more than noise (${errorText(search[1].loss - full.loss, search[1].deltaStdErr)} nats for ${blockName(search[1])}).`;
  const row = search[k];
  const saved = 1 - row.parameters / full.parameters;
  const speed = row.tokensPerSecond && full.tokensPerSecond ? `, ${(row.tokensPerSecond / full.tokensPerSecond).toFixed(2)}× the tokens/s` : '';
  const blocks = row.removed.map((block) => `${block.part} ${block.layer}`).join(', ');
  return `Sublayer search: ${k} of ${search.length - 1} blocks go without raising the loss beyond noise (Δ ${errorText(row.loss - full.loss, row.deltaStdErr)}): ${blocks}; ${(100 * saved).toFixed(0)}% fewer parameters${speed}.`;
}

const blockName = (row: SublayerRow) => {
  const block = row.removed.at(-1)!;
  return `${block.part} ${block.layer}`;
};

/** How many removals the search makes before the loss first rises beyond noise of the full model's. */
function withinNoiseRows(search: readonly SublayerRow[]): number {
  let k = 0;
  for (let i = 1; i < search.length; i++) {
    const delta = search[i].loss - search[0].loss;
    if (delta <= 0 || withinNoise(delta, search[i].deltaStdErr)) k = i;
    else break;
  }
  return k;
}
