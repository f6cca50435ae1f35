// docs/engine.md's excerpt of npm start's output, cut from what `depthlab compare` printed and put
// between its markers.

const BEGIN = '<!-- npm start: begin -->';
const END = '<!-- npm start: end -->';

/** The every-other table and the summary sentences, as printed (the summary follows the legend's blank line). */
export function startExcerpt(text: string): string[] | undefined {
  const lines = text.split('\n');
  const table = lines.findIndex((line) => line.startsWith('every-other: validation loss'));
  const saved = lines.findIndex((line) => line.startsWith('saved: '));
  if (table < 0 || saved < 0) return undefined;
  const tableEnd = lines.indexOf('', table);
  const summary = lines.slice(lines.findIndex((line) => line.startsWith('± one standard error')) + 2, saved).filter((line) => line !== '');
  return [...lines.slice(table, tableEnd), '...', ...summary];
}

/** `page` with its block between the markers holding `heading` and `excerpt`; undefined when it has no such block. */
export function withExcerpt(page: string, heading: string, excerpt: string[]): string | undefined {
  const [from, to] = [page.indexOf(BEGIN), page.indexOf(END)];
  if (from < 0 || to < from) return undefined;
  const block = [BEGIN, heading, '', '```text', ...excerpt, '```', END].join('\n');
  return page.slice(0, from) + block + page.slice(to + END.length);
}
