import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import { parseConfig } from '../config/loadConfig';
import type { LayerListSite, TextEdit } from './layerListSite';

/**
 * The edits that write `layers` into a site in that file's own syntax: a JSON array for DepthLab
 * and Hugging Face files (comments and formatting kept), `0,2,4` for fairseq flags and YAML.
 * A DepthLab config is validated after the edit, so a write never leaves a broken config.
 */
export function layerListEdits(text: string, file: string, site: LayerListSite, layers: readonly number[]): TextEdit[] {
  switch (site.format) {
    case 'depthlab': {
      const edits = modify(text, [site.key], [...layers], { formattingOptions: formattingOf(text) });
      parseConfig(applyEdits(text, edits), file);
      return edits;
    }
    case 'huggingface':
      return modify(text, [site.key], [...layers], { formattingOptions: formattingOf(text) });
    case 'fairseq-flag':
    case 'fairseq-overrides':
    case 'fairseq-yaml':
      return [{ ...site.value, content: layers.join(',') }];
  }
}

/** Indent like the file does: tabs, or the width of its first indented line. */
function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}
