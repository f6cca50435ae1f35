/**
 * Chart colours: text and grid from the VS Code theme's CSS variables; series from the Okabe–Ito
 * palette (distinguishable under the common colour-vision deficiencies), in a variant per theme
 * kind so that every series keeps at least 3:1 contrast against the background.
 */
export interface ChartTheme {
  foreground: string;
  grid: string;
  font: string;
  /** High-contrast themes: thicker lines. */
  lineWidth: number;
  /** Distinct series colours, in the order series take them. */
  series: readonly string[];
  muted: string;
}

/**
 * Okabe & Ito (2008): blue #0072B2, vermillion #D55E00, bluish green #009E73, reddish purple
 * #CC79A7, orange #E69F00. On white, purple and orange fall under 3:1: the same hues, darker
 * (3.4–5.2:1 here). On a dark background blue does: the same hue, lighter (5.4–7.3:1 on #1f1f1f).
 */
const ON_LIGHT = ['#0072B2', '#D55E00', '#009E73', '#B5558E', '#A66F00'];
const ON_DARK = ['#3A9BDC', '#E8772E', '#1BB58A', '#CC79A7', '#E69F00'];

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** The theme kind VS Code puts on the body (a page outside VS Code, such as the report, says light). */
export function themeKind(body: HTMLElement = document.body): ThemeKind {
  if (body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  return body.classList.contains('vscode-dark') ? 'dark' : 'light';
}

export function seriesColours(kind: ThemeKind): readonly string[] {
  return kind === 'dark' || kind === 'high-contrast' ? ON_DARK : ON_LIGHT;
}

export function chartTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const cssVar = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const kind = themeKind();
  return {
    foreground: cssVar('--vscode-foreground', '#616161'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    lineWidth: kind.startsWith('high-contrast') ? 3 : 2,
    series: seriesColours(kind),
    muted: cssVar('--vscode-disabledForeground', 'rgba(128,128,128,0.6)'),
  };
}

/** Dash patterns, the second cue beside colour (print, grayscale, a colour still confused). */
export const DASHES: readonly number[][] = [[], [6, 3], [2, 3], [8, 3, 2, 3], [12, 4], [1, 2]];

/** Calls back when the user switches theme (VS Code changes the body's class). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
