import { type LayerGeometry, layerRuns, stageLayerRange } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';

/** The layers of one geometry, counted per pipeline stage. */
export interface LayerKindCount {
  layer: LayerGeometry;
  /** How the layers are named for display: attention · FFN. */
  label: string;
  /** Layers of this geometry in each pipeline stage, index = stage. */
  perStage: Float64Array;
  /** Layers of this geometry in the whole model. */
  layers: number;
}

/**
 * The model's distinct layer geometries, in order of first appearance, with how many layers of each
 * every pipeline stage runs (from `layerRuns` of each stage's layer range). A uniform model has one.
 */
export function countLayerKinds(model: ModelSpec, pp: number): LayerKindCount[] {
  const kinds = new Map<LayerGeometry, LayerKindCount>();
  for (let stage = 0; stage < pp; stage++) {
    const { first, end } = stageLayerRange(model, pp, stage);
    for (const run of layerRuns(model, first, end)) {
      let kind = kinds.get(run.layer);
      if (!kind) {
        kind = {
          layer: run.layer,
          label: describeLayerKind(run.layer),
          perStage: new Float64Array(pp),
          layers: 0,
        };
        kinds.set(run.layer, kind);
      }
      kind.perStage[stage] += run.count;
      kind.layers += run.count;
    }
  }
  return [...kinds.values()];
}

/** "MLA · MoE top-8 of 256 + shared", "sparse MLA top-2048 · dense FFN", "sliding window 128 · MoE top-4 of 128", "full · dense". */
export function describeLayerKind(layer: LayerGeometry): string {
  const a = layer.attention;
  const attention =
    a.kind === 'mla'
      ? a.indexer
        ? `sparse MLA top-${a.topK}`
        : 'MLA'
      : a.kind === 'linear'
        ? 'linear attention'
        : a.kind === 'sliding'
          ? `sliding window ${a.window}`
          : 'full attention';
  const f = layer.ffn;
  const ffn =
    f.kind === 'moe'
      ? `MoE top-${f.topK} of ${f.experts}${f.sharedWidth > 0 ? ' + shared' : ''}`
      : 'dense FFN';
  return `${attention} · ${ffn}`;
}
