import { siteDepth, type LayerListSite } from './layerListSite';

/** "keeps r of N": how many layers a list keeps (all of them when it is absent). */
export function keepsText(site: LayerListSite): string {
  const depth = siteDepth(site);
  if (depth === undefined) return 'keeps all layers';
  return `keeps ${site.kept?.length ?? depth} of ${depth}`;
}
