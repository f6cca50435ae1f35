import assert from 'node:assert/strict';
import { test } from 'node:test';
import { legendRows } from '../webview/charts/legendRows';
import { seriesColours, type ThemeKind } from '../webview/charts/theme';

/** WCAG 2 contrast ratio between two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

test('every series colour keeps 3:1 against the background of its theme kind, and no two are alike', () => {
  const backgrounds: Record<ThemeKind, string> = { light: '#ffffff', dark: '#1f1f1f', 'high-contrast': '#000000', 'high-contrast-light': '#ffffff' };
  for (const [kind, background] of Object.entries(backgrounds) as Array<[ThemeKind, string]>) {
    const colours = seriesColours(kind);
    assert.equal(new Set(colours).size, 5, kind);
    for (const colour of colours) assert.ok(contrast(colour, background) >= 3, `${kind}: ${colour} on ${background} is ${contrast(colour, background).toFixed(2)}:1`);
  }
});

test('legend rows: entries wrap whole, so a side-bar-wide legend of five strategies takes more rows than an editor-wide one', () => {
  const strategies = ['every-other', 'importance', 'contiguous-block', 'spread', 'search-on-valid', 'ms / batch'];
  assert.equal(legendRows([], 300), 0);
  assert.equal(legendRows(['train', 'valid'], 300), 1);
  assert.equal(legendRows(strategies, 300), 3);
  assert.equal(legendRows(strategies, 1000), 1);
  // An entry wider than the whole width still takes one row of its own.
  assert.equal(legendRows(['x'.repeat(100)], 300), 1);
});
