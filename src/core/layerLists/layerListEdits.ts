import { applyEdits, findNodeAtLocation, parseTree } from 'jsonc-parser';
import { parseConfig } from '../config/loadConfig';
import { UserError } from '../errors';
import type { LayerListSite, TextEdit } from './layerListSite';

/**
 * The edits that write `layers` into a site in that file's own syntax: a JSON array for DepthLab
 * and Hugging Face files, `0,2,4` for fairseq flags and YAML. Only the list itself changes (or one
 * new property is added after the last one): comments and formatting elsewhere are untouched.
 * A DepthLab config is validated after the edit, so a write never leaves a broken config.
 */
export function layerListEdits(text: string, file: string, site: LayerListSite, layers: readonly number[]): TextEdit[] {
  switch (site.format) {
    case 'depthlab': {
      const edits = jsonPropertyEdits(text, file, site.key, `[${layers.join(', ')}]`);
      parseConfig(applyEdits(text, edits), file);
      return edits;
    }
    case 'huggingface':
      return jsonPropertyEdits(text, file, site.key, `[${layers.join(', ')}]`);
    case 'fairseq-flag':
    case 'fairseq-overrides':
    case 'fairseq-yaml':
      return [{ ...site.value, content: layers.join(',') }];
  }
}

/**
 * Replace a top-level property's value, or add the property after the last one, indented like it
 * (after that line's trailing comment, if it has one).
 */
function jsonPropertyEdits(text: string, file: string, key: string, value: string): TextEdit[] {
  const root = parseTree(text);
  if (!root || root.type !== 'object') throw new UserError(`${file}: not a JSON object; fix the file before writing ${key}`);
  const existing = findNodeAtLocation(root, [key]);
  if (existing) return [{ offset: existing.offset, length: existing.length, content: value }];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const last = root.children?.at(-1);
  if (!last) return [{ offset: root.offset + 1, length: 0, content: `${eol}  ${JSON.stringify(key)}: ${value}${eol}` }];
  const end = last.offset + last.length;
  const lineStart = text.lastIndexOf('\n', last.offset) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const property = `${eol}${indent}${JSON.stringify(key)}: ${value}`;
  const lineEnd = text.indexOf('\n', end) < 0 ? text.length : text.indexOf('\n', end);
  const rest = text.slice(end, lineEnd).replace(/\r$/, '');
  if (/^\s*(\/\/|\/\*)/.test(rest)) {
    return [
      { offset: end, length: 0, content: ',' },
      { offset: end + rest.length, length: 0, content: property },
    ];
  }
  return [{ offset: end, length: 0, content: `,${property}` }];
}
