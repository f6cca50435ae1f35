import { recommendedRate } from '../prune/recommendedRate';
import { fairseqFlags, type LayerStack } from './interop';

/**
 * What to take to the cluster when a model outgrows one machine: for the depth chosen here, the
 * paper's training rate p* = 1 − r/N in each engine's own vocabulary, one file per engine, each
 * saying what it needs. A checkpoint trained there comes back through the same analyze/export path
 * (torchtune and DeepSpeed save Hugging Face folders).
 */
export function trainingHandoff(side: LayerStack, layers: number, keep: readonly number[]): Record<string, string> {
  const rate = recommendedRate(layers, keep.length).toFixed(2);
  const { flag, modelOverrides } = fairseqFlags(side, keep);
  return {
    'fairseq.txt': [
      `# fairseq (needs a fairseq transformer checkpoint of ${layers} layers, trained with LayerDrop for pruning to hold up)`,
      `# train, with the paper's rate for keeping ${keep.length} of ${layers}:`,
      `--${side}-layerdrop ${rate}`,
      `# then evaluate or generate with only the kept layers:`,
      flag,
      modelOverrides,
      '',
    ].join('\n'),
    'torchtune-layer-dropout.yaml': [
      `# torchtune: paste into a copy of the dev/early_exit_finetune_distributed recipe's config`,
      `# (tune cp llama2/7B_full_early_exit my_config.yaml), then:`,
      `#   tune run --nproc_per_node 8 dev/early_exit_finetune_distributed --config my_config.yaml`,
      `# The recipe wraps model.layers with torchtune.modules.prepare_layer_dropout.`,
      'layer_dropout:',
      `  prob: ${rate}`,
      '  layers: ":"',
      '  layers_scale: uniform',
      '  disable_on_eval: True',
      '',
    ].join('\n'),
    'deepspeed-progressive-layer-drop.json': `${JSON.stringify(
      {
        comment: `DeepSpeed Progressive Layer Dropping (merge into your ds_config.json); needs a model whose forward honours PLD, as DeepSpeed's BERT example does. theta is the keep probability PLD decays towards: 1 − p*, the paper's rate ${rate} for this depth.`,
        progressive_layer_drop: { enabled: true, theta: +(1 - Number(rate)).toFixed(2), gamma: 0.001 },
      },
      null,
      2,
    )}\n`,
  };
}
