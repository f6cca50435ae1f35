import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, parse } from 'jsonc-parser';
import { ConfigError } from '../src/core/errors';
import { depthlabSites } from '../src/core/layerLists/depthlabSites';
import { fairseqSites } from '../src/core/layerLists/fairseqSites';
import { huggingFaceSites } from '../src/core/layerLists/huggingFaceSites';
import { keepsText } from '../src/core/layerLists/lensTitles';
import { layerListEdits } from '../src/core/layerLists/layerListEdits';
import { formatOf, sitesOf } from '../src/core/layerLists/sitesOf';

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
const write = (file: string, text: string, index: number, layers: number[]) => applyEdits(text, layerListEdits(text, file, sitesOf(file, text)[index], layers));

test('DepthLab lenses: Train above layerdrop; explore above layersToKeep, else above model.layers', () => {
  const withList = '{\n  "model": {\n    "layers": 8\n  },\n  "layerdrop": { "rate": 0.5 },\n  // chosen\n  "layersToKeep": [0, 2, 4, 6]\n}\n';
  const sites = depthlabSites(withList);
  assert.equal(lineOf(withList, sites.train!), 5);
  assert.equal(lineOf(withList, sites.layersToKeep.anchor), 7);
  assert.equal(keepsText(sites.layersToKeep), 'keeps 4 of 8');

  const without = '{\n  "model": {\n    "layers": 8\n  }\n}\n';
  const bare = depthlabSites(without);
  assert.equal(bare.train, undefined, 'no layerdrop key, no Train lens');
  assert.equal(lineOf(without, bare.layersToKeep.anchor), 3);
  assert.equal(keepsText(bare.layersToKeep), 'keeps 8 of 8');
  assert.equal(keepsText(depthlabSites('{}').layersToKeep), 'keeps 6 of 6', 'the schema default depth');
  assert.doesNotThrow(() => depthlabSites('{ "model": { "layers": '), 'a file being typed');
});

test('DepthLab write-back: one property added or replaced, comments and layout elsewhere untouched, invalid lists refused', () => {
  const file = '/w/m.depthlab.json';
  const text = '{\n  // my model\n  "model": { "layers": 6 } // six\n}\n';
  const added = write(file, text, 0, [0, 2, 4]);
  assert.equal(added, '{\n  // my model\n  "model": { "layers": 6 }, // six\n  "layersToKeep": [0, 2, 4]\n}\n');
  assert.equal(write(file, added, 0, [1, 3]), added.replace('[0, 2, 4]', '[1, 3]'));
  assert.equal(write(file, '{\r\n\t"name": "x"\r\n}', 0, [0]), '{\r\n\t"name": "x",\r\n\t"layersToKeep": [0]\r\n}');
  assert.throws(() => write(file, text, 0, [0, 6]), ConfigError, 'layer 6 of a 6-layer model');
});

test('fairseq command lines: flags and --model-overrides, depth from --*-layers, written back as 0,2,4', () => {
  const script = [
    'fairseq-train data-bin \\',
    '  --arch transformer_lm --decoder-layers 12 --decoder-layerdrop 0.5 \\',
    '  --decoder-layers-to-keep 0,2,4,6,8,10',
    "fairseq-eval-lm data-bin --path lm.pt --model-overrides \"{'decoder_layers_to_keep':'0,3,6,9'}\"",
    '',
  ].join('\n');
  const sites = fairseqSites(script);
  assert.deepEqual(
    sites.map((s) => [s.format, s.key, s.kept, s.layers, lineOf(script, s.anchor)]),
    [
      ['fairseq-flag', '--decoder-layers-to-keep', [0, 2, 4, 6, 8, 10], 12, 3],
      ['fairseq-overrides', 'decoder_layers_to_keep', [0, 3, 6, 9], 12, 4],
    ],
  );
  const flagWritten = write('/w/train.sh', script, 0, [1, 5, 11]);
  assert.match(flagWritten, /--decoder-layers-to-keep 1,5,11\n/);
  assert.match(flagWritten, /'decoder_layers_to_keep':'0,3,6,9'/, 'the other list is untouched');
  assert.match(write('/w/train.sh', script, 1, [0, 11]), /\{'decoder_layers_to_keep':'0,11'\}"/);
  assert.equal(formatOf('/w/train.sh'), 'fairseq');
});

test('fairseq YAML: *_layers_to_keep values (plain, quoted, null) are found and rewritten in place', () => {
  const yaml = 'model:\n  encoder_layers: 6\n  encoder_layers_to_keep: "0,2,4"   # every other\n  decoder_layers_to_keep: null\n';
  const sites = fairseqSites(yaml);
  assert.deepEqual(
    sites.map((s) => [s.key, s.kept, s.layers]),
    [
      ['encoder_layers_to_keep', [0, 2, 4], 6],
      ['decoder_layers_to_keep', undefined, undefined],
    ],
  );
  assert.equal(write('/w/cfg.yaml', yaml, 0, [0, 5]), yaml.replace('"0,2,4"', '"0,5"'));
  assert.equal(write('/w/cfg.yaml', yaml, 1, [1]), yaml.replace('null', '1'));
});

test('Hugging Face config.json: one site per side with LayerDrop; the list is added beside the depth keys, which stay', () => {
  const bart = '{\n  "model_type": "bart",\n  "encoder_layers": 12,\n  "encoder_layerdrop": 0.2,\n  "decoder_layers": 6,\n  "decoder_layerdrop": 0.1\n}\n';
  const sites = huggingFaceSites(bart);
  assert.deepEqual(
    sites.map((s) => [s.key, s.layers, lineOf(bart, s.anchor)]),
    [
      ['encoder_layers_to_keep', 12, 4],
      ['decoder_layers_to_keep', 6, 6],
    ],
  );
  const written = write('/w/config.json', bart, 1, [0, 2, 4]);
  const parsed = parse(written);
  assert.deepEqual(parsed.decoder_layers_to_keep, [0, 2, 4]);
  assert.equal(parsed.decoder_layers, 6, 'the checkpoint still has 6 layers');
  assert.equal(parse(write('/w/config.json', written, 1, [5])).decoder_layers_to_keep[0], 5, 'replaced, not added twice');

  const bert = '{\n    "num_hidden_layers": 24,\n    "layerdrop": 0.5\n}';
  const [site] = huggingFaceSites(bert);
  assert.deepEqual([site.key, site.layers, keepsText(site)], ['layers_to_keep', 24, 'keeps 24 of 24']);
  assert.equal(write('/w/config.json', bert, 0, [0, 23]), '{\n    "num_hidden_layers": 24,\n    "layerdrop": 0.5,\n    "layers_to_keep": [0, 23]\n}');
  assert.deepEqual(huggingFaceSites('{"vocab_size": 5}'), [], 'no depth or LayerDrop key: no lens');
});
