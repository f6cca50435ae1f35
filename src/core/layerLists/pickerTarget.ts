import { siteDepth } from './layerListSite';
import { sitesOf } from './sitesOf';

/** Which list a layer picker edits: a file, the list's name there, and which of the lists with that name. */
export interface LayerListRef {
  file: string;
  /** What the list is called there, e.g. `layersToKeep`, `--decoder-layers-to-keep`, `encoder_layers_to_keep`. */
  key: string;
  /** Which of the lists with this key (a script can hold several command lines). */
  occurrence: number;
}

/** Where "Write to config" writes, with the model's depth and the layers the file keeps now. */
export interface PickerTarget extends LayerListRef {
  layers: number;
  kept: number[];
}

/** The list in the file's text, or undefined when it is not there or the file does not say the model's depth. */
export function pickerTarget(list: LayerListRef, text: string | undefined): PickerTarget | undefined {
  const site = text === undefined ? undefined : sitesOf(list.file, text).filter((s) => s.key === list.key)[list.occurrence];
  const layers = site && siteDepth(site);
  if (!site || !layers) return undefined;
  return { ...list, layers, kept: site.kept ?? Array.from({ length: layers }, (_, l) => l) };
}
