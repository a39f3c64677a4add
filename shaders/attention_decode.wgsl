// Decode attention over a paged KV cache: one new query per sequence, grouped-query attention, split-KV.
// Grid: (splits, kv_heads, sequences). A workgroup takes the keys [split · split_size, +split_size) of one
// sequence and one KV head, for all GROUP query heads that share it, so each K/V tile is loaded once for
// the group. Tiles of TK keys: K staged in workgroup memory, scores for every (head, key), an online
// softmax update per head, then V staged and accumulated; each invocation owns vec4s of the GROUP ×
// HEAD_DIM outputs. With one split the result is written normalized; otherwise the split's running
// max, sum and unnormalized output go to `partials` for attention_decode_reduce.wgsl.
// Specialization: HEAD_DIM (multiple of 4), BLOCK_SIZE, GROUP, TK, WG, OUT4 = ceil(GROUP·HEAD_DIM/4 / WG),
// MAX_SEQS.
struct Params {
  heads: u32, kv_heads: u32, q_stride: u32, out_stride: u32,
  scale: f32, split_size: u32, num_splits: u32, pad: u32,
}
struct Seq { q_row: u32, context: u32, table_start: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> seqs: array<Seq, MAX_SEQS>;
@group(0) @binding(2) var<storage, read> qkv: array<T4>;
@group(0) @binding(3) var<storage, read> block_table: array<u32>;
@group(0) @binding(4) var<storage, read> k_cache: array<T4>;
@group(0) @binding(5) var<storage, read> v_cache: array<T4>;
@group(0) @binding(6) var<storage, read_write> out: array<T4>;
// Per (sequence, head, split): HEAD_DIM/4 vec4 of unnormalized output, then one vec4 (max, sum, -, -).
@group(0) @binding(7) var<storage, read_write> partials: array<vec4<f32>>;

const D4: u32 = HEAD_DIM / 4u;
const MASKED: f32 = -1e30;

var<workgroup> q_tile: array<vec4<f32>, GROUP * D4>;
var<workgroup> kv_tile: array<T4, TK * D4>;
var<workgroup> scores: array<f32, GROUP * TK>;
var<workgroup> running_max: array<f32, GROUP>;
var<workgroup> running_sum: array<f32, GROUP>;
var<workgroup> correction: array<f32, GROUP>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let seq = seqs[wg.z];
  let kv_head = wg.y;
  let split = wg.x;
  let start = split * p.split_size;
  let end = min(seq.context, start + p.split_size);
  let q_base = seq.q_row * (p.q_stride / 4u) + kv_head * GROUP * D4;

  for (var e = lid; e < GROUP * D4; e += WG) { q_tile[e] = vec4<f32>(qkv[q_base + e]) * p.scale; }
  if (lid < GROUP) {
    running_max[lid] = MASKED;
    running_sum[lid] = 0.0;
  }
  var acc: array<vec4<f32>, OUT4>;
  for (var u = 0u; u < OUT4; u++) { acc[u] = vec4<f32>(0.0); }
  workgroupBarrier();

  for (var k0 = start; k0 < end; k0 += TK) {
    for (var e = lid; e < TK * D4; e += WG) {
      let key = k0 + e / D4;
      var v = T4(0.0);
      if (key < end) {
        let block = block_table[seq.table_start + key / BLOCK_SIZE];
        v = k_cache[((block * p.kv_heads + kv_head) * BLOCK_SIZE + key % BLOCK_SIZE) * D4 + e % D4];
      }
      kv_tile[e] = v;
    }
    workgroupBarrier();

    for (var e = lid; e < GROUP * TK; e += WG) {
      let g = e / TK;
      let j = e % TK;
      var score = MASKED;
      if (k0 + j < end) {
        var dot4 = vec4<f32>(0.0);
        for (var d = 0u; d < D4; d++) { dot4 += q_tile[g * D4 + d] * vec4<f32>(kv_tile[j * D4 + d]); }
        score = dot4.x + dot4.y + dot4.z + dot4.w;
      }
      scores[e] = score;
    }
    workgroupBarrier();

    // The first GROUP invocations update the softmax state while everyone stages V over K.
    if (lid < GROUP) {
      var tile_max = MASKED;
      for (var j = 0u; j < TK; j++) { tile_max = max(tile_max, scores[lid * TK + j]); }
      let m_new = max(running_max[lid], tile_max);
      var sum = 0.0;
      for (var j = 0u; j < TK; j++) {
        let weight = select(0.0, exp(scores[lid * TK + j] - m_new), k0 + j < end);
        scores[lid * TK + j] = weight;
        sum += weight;
      }
      let c = exp(running_max[lid] - m_new);
      correction[lid] = c;
      running_sum[lid] = running_sum[lid] * c + sum;
      running_max[lid] = m_new;
    }
    for (var e = lid; e < TK * D4; e += WG) {
      let key = k0 + e / D4;
      var v = T4(0.0);
      if (key < end) {
        let block = block_table[seq.table_start + key / BLOCK_SIZE];
        v = v_cache[((block * p.kv_heads + kv_head) * BLOCK_SIZE + key % BLOCK_SIZE) * D4 + e % D4];
      }
      kv_tile[e] = v;
    }
    workgroupBarrier();

    for (var u = 0u; u < OUT4; u++) {
      let o = lid + u * WG;
      if (o < GROUP * D4) {
        let g = o / D4;
        let d = o % D4;
        var a = acc[u] * correction[g];
        for (var j = 0u; j < TK; j++) { a += scores[g * TK + j] * vec4<f32>(kv_tile[j * D4 + d]); }
        acc[u] = a;
      }
    }
    workgroupBarrier();
  }

  for (var u = 0u; u < OUT4; u++) {
    let o = lid + u * WG;
    if (o < GROUP * D4) {
      let g = o / D4;
      let d = o % D4;
      let head = kv_head * GROUP + g;
      if (p.num_splits == 1u) {
        out[seq.q_row * (p.out_stride / 4u) + head * D4 + d] = T4(acc[u] / running_sum[g]);
      } else {
        partials[((wg.z * p.heads + head) * p.num_splits + split) * (D4 + 1u) + d] = acc[u];
      }
    }
  }
  if (p.num_splits > 1u && lid < GROUP) {
    let head = kv_head * GROUP + lid;
    partials[((wg.z * p.heads + head) * p.num_splits + split) * (D4 + 1u) + D4] =
      vec4<f32>(running_max[lid], running_sum[lid], 0.0, 0.0);
  }
}
