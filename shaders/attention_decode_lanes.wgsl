// Decode attention for CPU adapters (invocations run as the SIMD lanes of a core): one subgroup per
// workgroup takes one sequence, one KV head (its GROUP query heads) and one split of the keys, and walks
// the keys one at a time. Lane l owns the dimensions {i·SG + l} (as vec4s) of q, of the key and value
// rows and of the outputs, so every K/V load moves a whole row across the lanes; a score is a partial dot
// product per lane summed with subgroupAdd, and the online softmax runs on the (uniform) scores. No
// workgroup memory and no barriers: on CPU adapters both cost more than the arithmetic.
// Same bindings, split-KV partials and combine kernel as attention_decode.wgsl.
// Specialization: HEAD_DIM (HEAD_DIM / 4 a multiple of SG), BLOCK_SIZE, GROUP, SG, MAX_SEQS.
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
@group(0) @binding(7) var<storage, read_write> partials: array<vec4<f32>>;

const D4: u32 = HEAD_DIM / 4u;
const DPL: u32 = D4 / SG;
const MASKED: f32 = -1e30;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let seq = seqs[wg.z];
  let kv_head = wg.y;
  let split = wg.x;
  let start = split * p.split_size;
  let end = min(seq.context, start + p.split_size);
  let q_base = seq.q_row * (p.q_stride / 4u) + kv_head * GROUP * D4 + lane;

  var q: array<array<vec4<f32>, DPL>, GROUP>;
  var acc: array<array<vec4<f32>, DPL>, GROUP>;
  var run_max: array<f32, GROUP>;
  var run_sum: array<f32, GROUP>;
  for (var g = 0u; g < GROUP; g++) {
    for (var i = 0u; i < DPL; i++) {
      q[g][i] = vec4<f32>(qkv[q_base + g * D4 + i * SG]) * p.scale;
      acc[g][i] = vec4<f32>(0.0);
    }
    run_max[g] = MASKED;
    run_sum[g] = 0.0;
  }

  var key = start;
  while (key < end) {
    // The block table is read once per block, not per key.
    let block = block_table[seq.table_start + key / BLOCK_SIZE];
    let stop = min(end, (key / BLOCK_SIZE + 1u) * BLOCK_SIZE);
    let row0 = (block * p.kv_heads + kv_head) * BLOCK_SIZE;
    for (; key < stop; key++) {
      let base = (row0 + key % BLOCK_SIZE) * D4 + lane;
      var kv: array<vec4<f32>, DPL>;
      for (var i = 0u; i < DPL; i++) { kv[i] = vec4<f32>(k_cache[base + i * SG]); }
      var score: array<f32, GROUP>;
      for (var g = 0u; g < GROUP; g++) {
        var part = 0.0;
        for (var i = 0u; i < DPL; i++) { part += dot(q[g][i], kv[i]); }
        score[g] = subgroupAdd(part);
      }
      for (var i = 0u; i < DPL; i++) { kv[i] = vec4<f32>(v_cache[base + i * SG]); }
      for (var g = 0u; g < GROUP; g++) {
        let m_new = max(run_max[g], score[g]);
        let correction = exp(run_max[g] - m_new);
        let weight = exp(score[g] - m_new);
        run_sum[g] = run_sum[g] * correction + weight;
        run_max[g] = m_new;
        for (var i = 0u; i < DPL; i++) { acc[g][i] = acc[g][i] * correction + weight * kv[i]; }
      }
    }
  }

  for (var g = 0u; g < GROUP; g++) {
    let head = kv_head * GROUP + g;
    let slot = ((wg.z * p.heads + head) * p.num_splits + split) * (D4 + 1u);
    for (var i = 0u; i < DPL; i++) {
      let d = i * SG + lane;
      if (p.num_splits == 1u) {
        out[seq.q_row * (p.out_stride / 4u) + head * D4 + d] = T4(acc[g][i] / run_sum[g]);
      } else {
        partials[slot + d] = acc[g][i];
      }
    }
    if (p.num_splits > 1u && lane == 0u) {
      partials[slot + D4] = vec4<f32>(run_max[g], run_sum[g], 0.0, 0.0);
    }
  }
}
