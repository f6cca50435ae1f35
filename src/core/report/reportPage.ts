import * as fs from 'node:fs';
import { builtFile } from '../files/builtFile';
import { writeFileAtomic } from '../files/atomicWrite';
import type { ReportData } from './reportData';

/**
 * One self-contained HTML page: the report's data, the page script (dist/webview/report.js, Chart.js
 * inside) and its styles inlined; its content security policy lets it load nothing.
 */
export function reportHtml(data: ReportData): string {
  const script = fs.readFileSync(builtFile('webview/report.js'), 'utf8');
  const style = ['media/explorer.css', 'media/report.css'].map((file) => fs.readFileSync(builtFile(`../${file}`), 'utf8')).join('\n');
  // Inside <script>, "</script" would end the element early; JSON's "<" escape keeps the data inert.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${style}</style>
</head>
<body class="report">
<main id="app"></main>
<script type="application/json" id="report-data">${json}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Write the report (atomically) and return where it went. */
export function writeReport(data: ReportData, out = data.defaultOut): string {
  writeFileAtomic(out, reportHtml(data));
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
