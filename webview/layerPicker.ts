import type { ImportanceMetric } from '../src/core/config/choices';
import { recommendedRate } from '../src/core/prune/recommendedRate';
import { withinNoise } from '../src/core/evaluate/standardError';
import { qualityText } from '../src/core/report/eventText';
import type { Evaluation } from '../src/core/evaluate/evaluate';
import type { PickerTarget } from '../src/core/layerLists/pickerTarget';
import type { RunSnapshot } from '../src/core/run/runSnapshot';
import { presetLayers, type Preset } from './presets';
import { button, checkbox, dropdown, type Control } from './toolkit';
import { section } from './sections';
import { loadState, saveState } from './vscodeApi';

export interface PickerInput {
  target: PickerTarget;
  /** The selected run; its statistics drive the presets when it has the target's depth. */
  run?: RunSnapshot;
  metric: ImportanceMetric;
  busy: boolean;
  result?: { full: Evaluation; selected: Evaluation };
  onChange: (kept: ReadonlySet<number>) => void;
  onEvaluate: (layers: number[]) => void;
  /** A trained run only: finetune the picked layers (depthlab heal). */
  onHeal?: (layers: number[]) => void;
  /** What the picked layers are for: written into the list's file, or (a Hugging Face model) exported. */
  commit: { label: string; title: string; run: (layers: number[]) => void };
}

const targetKey = (t: PickerTarget) => `${t.file}#${t.key}#${t.occurrence}`;

/** One checkbox per layer, presets for a target depth, the kept count, Evaluate selection, and Write to config or Export. */
export function layerPicker(input: PickerInput): HTMLElement {
  const { target, run, busy } = input;
  const state = loadState();
  // Unsaved picks survive hide/show, but not an edit of the list in the file.
  const stored = state.checked?.[targetKey(target)];
  const kept = new Set(stored && stored.base.join() === target.kept.join() ? stored.layers : target.kept);
  const sameDepth = run && run.layers === target.layers ? run : undefined;
  let depth = Math.min(state.target ?? kept.size, target.layers) || 1;

  const root = section('Layers to keep', `${target.key} in ${basename(target.file)}`);
  const grid = document.createElement('div');
  grid.className = 'layer-grid';
  const boxes = Array.from({ length: target.layers }, (_, layer) => {
    const box = checkbox(`L${layer}`, kept.has(layer), (checked) => {
      if (checked) kept.add(layer);
      else kept.delete(layer);
      changed();
    });
    box.dataset.layer = String(layer);
    grid.appendChild(box);
    return box;
  });

  const summary = document.createElement('p');
  summary.className = 'summary';
  const evaluateButton = button('Evaluate selection', () => input.onEvaluate([...kept]), {
    title: 'Quick evaluation of exactly the checked layers on the validation batches, beside the full model',
  });
  const healButton =
    input.onHeal &&
    button('Heal selection', () => input.onHeal!([...kept]), {
      secondary: true,
      title: 'Finetune exactly the checked layers for 100 steps (depthlab heal) and compare the loss before and after; the run keeps its own checkpoint',
    });
  const writeButton = button(input.commit.label, () => input.commit.run([...kept]), { title: input.commit.title });

  const presets = document.createElement('div');
  presets.className = 'row';
  const presetButtons: Array<[Preset, Control]> = [];
  const applyPreset = (preset: Preset) => {
    const layers = presetLayers(preset, { layers: target.layers, target: depth, metric: input.metric, snapshot: sameDepth });
    if (!layers) return;
    kept.clear();
    layers.forEach((l) => kept.add(l));
    boxes.forEach((box, l) => (box.checked = kept.has(l)));
    changed();
  };
  const depthChoice = dropdown(
    Array.from({ length: target.layers }, (_, i) => ({ value: String(target.layers - i), label: `${target.layers - i} of ${target.layers}` })),
    String(depth),
    (value) => {
      depth = Number(value);
      saveState({ target: depth });
      refreshPresets();
    },
  );
  depthChoice.title = 'Target depth r for the presets';
  presets.append(depthChoice);
  const addPreset = (preset: Preset, label: string, title: string) => {
    const control = button(label, () => applyPreset(preset), { secondary: true, title });
    presetButtons.push([preset, control]);
    presets.append(control);
  };
  addPreset('every-other', 'Every other', 'Layers 0,2,4,… (every N/r-th layer from 0 at other depths): the paper\'s and fairseq\'s default');
  addPreset('top-k', 'Top-k', `The r most important layers by ${input.metric}`);
  addPreset('sweep', sameDepth?.sweep ? `Sweep (${sameDepth.sweep.strategy})` : 'Sweep result', 'The layers the run\'s depth sweep chose at this depth');
  addPreset('all', 'All', 'Every layer');
  const refreshPresets = () => {
    for (const [preset, control] of presetButtons) {
      control.disabled = !presetLayers(preset, { layers: target.layers, target: depth, metric: input.metric, snapshot: sameDepth });
    }
  };

  const actions = document.createElement('div');
  actions.className = 'row';
  actions.append(evaluateButton, ...(healButton ? [healButton] : []), writeButton);
  const result = document.createElement('p');
  result.className = 'result';
  if (input.result) {
    const { full, selected } = input.result;
    const delta = selected.loss - full.loss;
    const error = (stdErr?: number) => (stdErr ? ` ± ${stdErr.toFixed(4)}` : '');
    result.textContent =
      `Layers ${selected.layers.join(',')}: loss ${selected.loss.toFixed(4)}${error(selected.stdErr)} ${qualityText(selected)} · ` +
      `full model: loss ${full.loss.toFixed(4)}${error(full.stdErr)} ${qualityText(full)} ` +
      `(Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(4)}${error(selected.deltaStdErr)}${withinNoise(delta, selected.deltaStdErr) ? ', within noise' : ''})`;
  }

  function changed() {
    saveState({ checked: { ...loadState().checked, [targetKey(target)]: { base: target.kept, layers: [...kept].sort((a, b) => a - b) } } });
    const rate = kept.size ? recommendedRate(target.layers, kept.size) : 1;
    summary.textContent =
      `Keeps ${kept.size} of ${target.layers}: ${[...kept].sort((a, b) => a - b).join(',') || 'none'}` +
      ` · p* = 1 − ${kept.size}/${target.layers} = ${rate.toFixed(2)}` +
      (run?.kind === 'run' ? ` (run trained with ${run.layerdropRate})` : run?.layerdropRate ? ` (model trained with LayerDrop ${run.layerdropRate})` : '');
    writeButton.disabled = kept.size === 0;
    evaluateButton.disabled = kept.size === 0 || busy || !sameDepth || sameDepth.status === 'running';
    if (healButton) healButton.disabled = evaluateButton.disabled;
    input.onChange(kept);
  }

  root.append(presets, grid, summary, actions, result);
  refreshPresets();
  changed();
  return root;
}

export function metricChoice(metric: ImportanceMetric, available: readonly ImportanceMetric[], onChange: (metric: ImportanceMetric) => void): HTMLElement {
  return dropdown(
    available.map((m) => ({ value: m, label: m })),
    metric,
    (value) => onChange(value as ImportanceMetric),
  );
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
