import { findNodeAtLocation, type Node, type JSONPath } from 'jsonc-parser';
import type { SourceLocation } from '../errors';

/** Maps JSON paths and offsets in one document to 1-based line and column. */
export class JsonLocator {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    text: string,
    private readonly root: Node | undefined,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  atOffset(offset: number, length: number, path: JSONPath = []): SourceLocation {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, path: formatJsonPath(path), line: lo + 1, column: offset - this.lineStarts[lo] + 1, offset, length };
  }

  /**
   * The value at `path`; when `key` is given, the property name `key` inside that object
   * (unknown keys). A path that does not exist points at its nearest existing parent.
   */
  at(path: JSONPath, key?: string): SourceLocation {
    const fullPath = key === undefined ? path : [...path, key];
    if (!this.root) return this.atOffset(0, 0, fullPath);
    if (key !== undefined) {
      const parent = findNodeAtLocation(this.root, path);
      const property = parent?.children?.find((p) => p.children?.[0]?.value === key);
      if (property) return this.atOffset(property.offset, property.children![0].length, fullPath);
    }
    for (let depth = path.length; depth >= 0; depth--) {
      const node = findNodeAtLocation(this.root, path.slice(0, depth));
      if (node) return this.atOffset(node.offset, node.length, fullPath);
    }
    return this.atOffset(0, 0, fullPath);
  }
}

export function formatJsonPath(path: JSONPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}
