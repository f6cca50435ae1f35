/** What a layer evaluation and a readout take on one window, and (a streamed model) reading one layer in, on this machine and backend. */
export interface UnitCosts {
  secondsPerBlock: number;
  /** Besides reading a table left in the file, counted in `tableRead`. */
  secondsPerReadout: number;
  secondsPerLayerRead: number;
  /** A head left in the file (sharedPrefixes.ts): one read of it serves the readouts of `rowsPerPass` stream rows, a window being `rowsPerWindow`. */
  tableRead?: { seconds: number; rowsPerPass: number; rowsPerWindow: number };
}

/** A window's unit costs at any length, from the windows timed so far. */
export type UnitsAt = (length: number) => UnitCosts;

/**
 * Unit costs at any length from one timed window of `timed` positions: a layer and a readout in
 * proportion to the positions, a layer's read unchanged. It misses what does not shrink with the
 * window (per-product overheads), so a plan choosing another length times that one too (affineUnits).
 */
export function proportionalUnits(units: UnitCosts, timed: number): UnitsAt {
  return (length) => {
    const scale = length / timed;
    return {
      secondsPerBlock: units.secondsPerBlock * scale,
      secondsPerReadout: units.secondsPerReadout * scale,
      secondsPerLayerRead: units.secondsPerLayerRead,
      ...(units.tableRead && { tableRead: { ...units.tableRead, rowsPerWindow: length } }),
    };
  };
}

/**
 * Unit costs at any length from windows timed at two: a layer and a readout each a fixed part and
 * a part per position, both at least zero, through both timings; where no such line fits them
 * (the longer window not dearer, or dearer per position: noise, or attention's share), the nearer
 * timing scaled in proportion. Reads as the first timing said.
 */
export function affineUnits(first: { length: number; units: UnitCosts }, second: { length: number; units: UnitCosts }): UnitsAt {
  const [a, b] = [first, second];
  const through = (of: (units: UnitCosts) => number, length: number) => {
    const slope = (of(b.units) - of(a.units)) / (b.length - a.length);
    const fixed = of(a.units) - slope * a.length;
    const nearer = Math.abs(length - a.length) <= Math.abs(length - b.length) ? a : b;
    return slope > 0 && fixed >= 0 ? fixed + slope * length : (of(nearer.units) * length) / nearer.length;
  };
  return (length) => ({
    secondsPerBlock: through((units) => units.secondsPerBlock, length),
    secondsPerReadout: through((units) => units.secondsPerReadout, length),
    secondsPerLayerRead: a.units.secondsPerLayerRead,
    ...(a.units.tableRead && { tableRead: { ...a.units.tableRead, rowsPerWindow: length } }),
  });
}
