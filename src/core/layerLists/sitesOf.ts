import * as path from 'node:path';
import { depthlabSites } from './depthlabSites';
import { fairseqSites } from './fairseqSites';
import { huggingFaceSites } from './huggingFaceSites';
import type { LayerListSite } from './layerListSite';

export type LayerListFormat = 'depthlab' | 'huggingface' | 'fairseq';

/** Which reader a file gets, by name: DepthLab configs, Hugging Face config.json, anything else is scanned for fairseq flags. */
export function formatOf(file: string): LayerListFormat {
  const name = path.basename(file);
  if (name.endsWith('.depthlab.json')) return 'depthlab';
  if (name === 'config.json') return 'huggingface';
  return 'fairseq';
}

/** Every layer list in a file that DepthLab can read and write. */
export function sitesOf(file: string, text: string): LayerListSite[] {
  switch (formatOf(file)) {
    case 'depthlab':
      return [depthlabSites(text).layersToKeep];
    case 'huggingface':
      return huggingFaceSites(text);
    case 'fairseq':
      return fairseqSites(text);
  }
}
