/**
 * Gromov et al.'s angular distance as a heat map: a row per block size n, a column per start layer
 * l, each cell d(x_l, x_{l+n}) with the theme's chart colour at an opacity that grows with it. The
 * darkest cell of a row is the block contiguous-block would keep; the palest, the one it drops.
 */
export function angularHeatMap(distances: number[][]): HTMLElement {
  const max = Math.max(...distances.flat(), 1e-9);
  const table = document.createElement('table');
  table.className = 'heat-map';
  const head = table.createTHead().insertRow();
  head.appendChild(cell('th', 'n \\ l'));
  for (let l = 0; l < distances.length; l++) head.appendChild(cell('th', `L${l}`));
  const body = table.createTBody();
  distances.forEach((row, i) => {
    const tr = body.insertRow();
    tr.appendChild(cell('th', String(i + 1)));
    const smallest = Math.min(...row);
    row.forEach((d, l) => {
      const td = cell('td', d.toFixed(2));
      td.style.setProperty('--heat', String(d / max));
      td.title = `d(x${l}, x${l + i + 1}) = ${d.toFixed(4)}${d === smallest ? ' · the block contiguous-block drops at this n' : ''}`;
      if (d === smallest) td.classList.add('smallest');
      tr.appendChild(td);
    });
  });
  return table;
}

function cell(kind: 'th' | 'td', text: string): HTMLTableCellElement {
  const element = document.createElement(kind);
  element.textContent = text;
  return element;
}
