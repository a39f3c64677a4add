/**
 * Plain CPU versions of every kernel, in float64 arithmetic over float32 storage: the ground truth the
 * kernel tests compare against. Layouts match the kernels (row-major; weights [k, n]).
 */

export function matmulRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  const c = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const offset = p * n;
      for (let j = 0; j < n; j++) row[j] += av * b[offset + j];
    }
    c.set(row, i * n);
  }
  return c;
}

export function rmsNormRef(
  x: Float32Array,
  weight: Float32Array,
  rows: number,
  width: number,
  eps: number,
): Float32Array {
  const y = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let i = 0; i < width; i++) sq += x[r * width + i] ** 2;
    const scale = 1 / Math.sqrt(sq / width + eps);
    for (let i = 0; i < width; i++) y[r * width + i] = x[r * width + i] * scale * weight[i];
  }
  return y;
}

/** In place, like the kernel: the first `heads` heads of each row rotate by the token's position. */
export function ropeRef(
  x: Float32Array,
  positions: ArrayLike<number>,
  tokens: number,
  heads: number,
  headDim: number,
  rowStride: number,
  theta: number,
): void {
  const half = headDim / 2;
  for (let t = 0; t < tokens; t++) {
    for (let h = 0; h < heads; h++) {
      const base = t * rowStride + h * headDim;
      for (let i = 0; i < half; i++) {
        const angle = positions[t] * theta ** ((-2 * i) / headDim);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const x1 = x[base + i];
        const x2 = x[base + i + half];
        x[base + i] = x1 * c - x2 * s;
        x[base + i + half] = x2 * c + x1 * s;
      }
    }
  }
}

export function siluAndMulRef(x: Float32Array, tokens: number, width: number): Float32Array {
  const y = new Float32Array(tokens * width);
  for (let t = 0; t < tokens; t++) {
    for (let j = 0; j < width; j++) {
      const gate = x[t * 2 * width + j];
      const up = x[t * 2 * width + width + j];
      y[t * width + j] = (gate / (1 + Math.exp(-gate))) * up;
    }
  }
  return y;
}

/**
 * Causal attention of one sequence: `queries` [tokens, heads·headDim] against keys/values
 * [keys, kvHeads·headDim]; query i sees keys 0 ..= keys − tokens + i. Output [tokens, heads·headDim].
 */
export function attentionRef(
  queries: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  tokens: number,
  keyCount: number,
  heads: number,
  kvHeads: number,
  headDim: number,
): Float32Array {
  const out = new Float32Array(tokens * heads * headDim);
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const context = keyCount - tokens;
  const scores = new Float64Array(keyCount);
  for (let t = 0; t < tokens; t++) {
    const visible = context + t + 1;
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      let max = -Infinity;
      for (let j = 0; j < visible; j++) {
        let dot = 0;
        for (let d = 0; d < headDim; d++) {
          dot +=
            queries[t * heads * headDim + h * headDim + d] * keys[j * kvHeads * headDim + kvh * headDim + d];
        }
        scores[j] = dot * scale;
        max = Math.max(max, scores[j]);
      }
      let sum = 0;
      for (let j = 0; j < visible; j++) {
        scores[j] = Math.exp(scores[j] - max);
        sum += scores[j];
      }
      for (let d = 0; d < headDim; d++) {
        let acc = 0;
        for (let j = 0; j < visible; j++)
          acc += scores[j] * values[j * kvHeads * headDim + kvh * headDim + d];
        out[t * heads * headDim + h * headDim + d] = acc / sum;
      }
    }
  }
  return out;
}

interface Mismatch {
  index: number;
  actual: number;
  expected: number;
}

/**
 * The first element where |actual − expected| > atol + rtol·|expected|, or null when all agree. Also
 * rejects NaN, so a kernel that writes garbage cannot pass.
 */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): Mismatch | null {
  if (actual.length !== expected.length)
    return { index: -1, actual: actual.length, expected: expected.length };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(a) || Math.abs(a - e) > atol + rtol * Math.abs(e))
      return { index: i, actual: a, expected: e };
  }
  return null;
}

/** The host side of one layer, for the layer reference (same layout as LayerWeightsHost). */
interface LayerRefWeights {
  inputNorm: Float32Array;
  qkv: Float32Array;
  o: Float32Array;
  postNorm: Float32Array;
  gateUp: Float32Array;
  down: Float32Array;
}

interface LayerRefShape {
  hiddenSize: number;
  intermediateSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  rmsEps: number;
  ropeTheta: number;
}

/** A sequence's cached keys and values so far, [n, kvHeads·headDim] each; extended by layerRef. */
export interface RefKvHistory {
  keys: Float32Array;
  values: Float32Array;
}

/**
 * One decoder layer on the CPU over a step's sequences (rows of `hidden` in order, `tokens` each).
 * Returns the new hidden rows; appends each sequence's new keys and values to its history.
 */
export function layerRef(
  shape: LayerRefShape,
  w: LayerRefWeights,
  hidden: Float32Array,
  sequences: { tokens: number; history: RefKvHistory }[],
): Float32Array {
  const { hiddenSize: h, intermediateSize: f, heads, kvHeads, headDim: d } = shape;
  const t = sequences.reduce((sum, s) => sum + s.tokens, 0);
  const qkvWidth = (heads + 2 * kvHeads) * d;
  const kvWidth = kvHeads * d;
  const normed = rmsNormRef(hidden, w.inputNorm, t, h, shape.rmsEps);
  const qkv = matmulRef(normed, w.qkv, t, qkvWidth, h);
  const positions: number[] = [];
  for (const s of sequences) {
    const context = s.history.keys.length / kvWidth;
    for (let i = 0; i < s.tokens; i++) positions.push(context + i);
  }
  ropeRef(qkv, positions, t, heads + kvHeads, d, qkvWidth, shape.ropeTheta);
  const attention = new Float32Array(t * heads * d);
  let row = 0;
  for (const s of sequences) {
    const context = s.history.keys.length / kvWidth;
    const q = new Float32Array(s.tokens * heads * d);
    const keys = new Float32Array((context + s.tokens) * kvWidth);
    const values = new Float32Array(keys.length);
    keys.set(s.history.keys);
    values.set(s.history.values);
    for (let i = 0; i < s.tokens; i++) {
      const base = (row + i) * qkvWidth;
      q.set(qkv.subarray(base, base + heads * d), i * heads * d);
      keys.set(qkv.subarray(base + heads * d, base + heads * d + kvWidth), (context + i) * kvWidth);
      values.set(qkv.subarray(base + heads * d + kvWidth, base + qkvWidth), (context + i) * kvWidth);
    }
    attention.set(
      attentionRef(q, keys, values, s.tokens, context + s.tokens, heads, kvHeads, d),
      row * heads * d,
    );
    s.history.keys = keys;
    s.history.values = values;
    row += s.tokens;
  }
  const afterAttention = matmulRef(attention, w.o, t, h, heads * d).map((v, i) => v + hidden[i]);
  const normed2 = rmsNormRef(afterAttention, w.postNorm, t, h, shape.rmsEps);
  const activated = siluAndMulRef(matmulRef(normed2, w.gateUp, t, 2 * f, h), t, f);
  return matmulRef(activated, w.down, t, h, f).map((v, i) => v + afterAttention[i]);
}
