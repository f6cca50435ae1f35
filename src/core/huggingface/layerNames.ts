/** How a checkpoint names a layer's tensors: `<base prefix><layers prefix><index>.<rest>`, or without the base prefix in a bare checkpoint. */

/** The layer a tensor belongs to, by the first numbered segment of its name (`model.layers.3`), or undefined (embeddings, final norm). */
export const layerOf = (name: string) => /^(.*?\.\d+)\./.exec(name)?.[1];

/** The layer-index prefix a stored tensor name starts with (canonical, or bare as a checkpoint without the base prefix stores it); undefined outside the layers. */
export function layerNamePrefix(name: string, layerPrefix: string, basePrefix: string): string | undefined {
  const local = layerPrefix.slice(basePrefix.length);
  return name.startsWith(layerPrefix) ? layerPrefix : name.startsWith(local) && !name.startsWith(basePrefix) ? local : undefined;
}

/** The layer a stored tensor belongs to; undefined for embeddings, final norms and heads. */
export function layerOfTensor(name: string, layerPrefix: string, basePrefix: string): number | undefined {
  const prefix = layerNamePrefix(name, layerPrefix, basePrefix);
  return prefix === undefined ? undefined : Number(name.slice(prefix.length).split('.')[0]);
}

/** The prefix under which a checkpoint numbers its `layers` layers (`model.layers.`), from its tensor names alone; undefined when no prefix numbers them all. */
export function layerPrefixOf(names: Iterable<string>, layers: number): string | undefined {
  const indices = new Map<string, Set<number>>();
  for (const name of names) {
    const match = /^(.*?\.)(\d+)\./.exec(name);
    if (match) indices.set(match[1], (indices.get(match[1]) ?? new Set()).add(Number(match[2])));
  }
  return [...indices].find(([, seen]) => seen.size === layers && Math.max(...seen) === layers - 1)?.[0];
}
