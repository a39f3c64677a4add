// Combines the split-KV partial results of attention_decode.wgsl: per (sequence, head),
// out = Σ_s e^(m_s − m) · acc_s / Σ_s e^(m_s − m) · l_s with m = max_s m_s (empty splits have l_s = 0).
// Grid: (heads, sequences); invocations over HEAD_DIM/4. Specialization: HEAD_DIM, MAX_SEQS.
struct Params { heads: u32, num_splits: u32, out_stride: u32, pad: u32 }
struct Seq { q_row: u32, context: u32, table_start: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> seqs: array<Seq, MAX_SEQS>;
@group(0) @binding(2) var<storage, read> partials: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<T4>;

const D4: u32 = HEAD_DIM / 4u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let head = wg.x;
  let base = (wg.y * p.heads + head) * p.num_splits;
  var m = -1e30;
  for (var s = 0u; s < p.num_splits; s++) { m = max(m, partials[(base + s) * (D4 + 1u) + D4].x); }
  var total = 0.0;
  for (var s = 0u; s < p.num_splits; s++) {
    let ml = partials[(base + s) * (D4 + 1u) + D4];
    total += exp(ml.x - m) * ml.y;
  }
  let out_base = seqs[wg.y].q_row * (p.out_stride / 4u) + head * D4;
  for (var d = lid; d < D4; d += 64u) {
    var sum = vec4<f32>(0.0);
    for (var s = 0u; s < p.num_splits; s++) {
      let weight = exp(partials[(base + s) * (D4 + 1u) + D4].x - m);
      sum += weight * partials[(base + s) * (D4 + 1u) + d];
    }
    out[out_base + d] = T4(sum / total);
  }
}
