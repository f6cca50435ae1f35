/** Chart colours from the VS Code theme's CSS variables, so light, dark and high-contrast themes all read. */
export interface ChartTheme {
  foreground: string;
  grid: string;
  font: string;
  series: { blue: string; orange: string; green: string; red: string; purple: string; muted: string };
}

export function chartTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const cssVar = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  return {
    foreground,
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    series: {
      blue: cssVar('--vscode-charts-blue', '#3794ff'),
      orange: cssVar('--vscode-charts-orange', '#d18616'),
      green: cssVar('--vscode-charts-green', '#89d185'),
      red: cssVar('--vscode-charts-red', '#f14c4c'),
      purple: cssVar('--vscode-charts-purple', '#b180d7'),
      muted: cssVar('--vscode-disabledForeground', 'rgba(128,128,128,0.6)'),
    },
  };
}

/** Calls back when the user switches theme (VS Code changes the body's class). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
