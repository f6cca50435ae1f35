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
