// Causal prefill attention, flash-style, over a paged KV cache, with grouped-query attention.
// A piece is `tokens` new queries of one sequence whose first `context` keys were cached before; its
// keys (context + tokens of them, the new ones already appended by kv_write) are found through its
// block table. Query i (0-based) sees keys 0 ..= context + i.
// Grid: (query tiles of BQ, heads, pieces). Each invocation owns one query row and keeps its output
// and softmax state in registers; the workgroup walks the keys in tiles of BK staged in workgroup memory,
// rescaling once per tile (online softmax), and stops at the last key its tile's queries can see.
// Specialization: HEAD_DIM (multiple of 4), BLOCK_SIZE, BQ, BK, MAX_PIECES.
struct Params {
  heads: u32, kv_heads: u32, q_stride: u32, out_stride: u32,
  scale: f32, pad0: u32, pad1: u32, pad2: u32,
}
struct Piece { q_row: u32, tokens: u32, context: u32, table_start: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> pieces: array<Piece, MAX_PIECES>;
@group(0) @binding(2) var<storage, read> qkv: array<T4>;
@group(0) @binding(3) var<storage, read> block_table: array<u32>;
@group(0) @binding(4) var<storage, read> k_cache: array<T4>;
@group(0) @binding(5) var<storage, read> v_cache: array<T4>;
@group(0) @binding(6) var<storage, read_write> out: array<T4>;

const D4: u32 = HEAD_DIM / 4u;
const MASKED: f32 = -1e30;

var<workgroup> k_tile: array<T4, BK * D4>;
var<workgroup> v_tile: array<T4, BK * D4>;

@compute @workgroup_size(BQ)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let piece = pieces[wg.z];
  let head = wg.y;
  let kv_head = head / (p.heads / p.kv_heads);
  let q0 = wg.x * BQ;
  if (q0 >= piece.tokens) { return; }
  let qi = q0 + lid;
  let valid = qi < piece.tokens;
  let position = piece.context + qi;
  let q_stride4 = p.q_stride / 4u;
  let out_stride4 = p.out_stride / 4u;

  var q: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  let q_base = (piece.q_row + min(qi, piece.tokens - 1u)) * q_stride4 + head * D4;
  for (var d = 0u; d < D4; d++) {
    q[d] = vec4<f32>(qkv[q_base + d]) * p.scale;
    acc[d] = vec4<f32>(0.0);
  }
  var m = MASKED;
  var l = 0.0;

  let kv_end = piece.context + min(piece.tokens, q0 + BQ);
  for (var k0 = 0u; k0 < kv_end; k0 += BK) {
    for (var e = lid; e < BK * D4; e += BQ) {
      let key = k0 + e / D4;
      var kv = T4(0.0);
      var vv = T4(0.0);
      if (key < kv_end) {
        let block = block_table[piece.table_start + key / BLOCK_SIZE];
        let index = ((block * p.kv_heads + kv_head) * BLOCK_SIZE + key % BLOCK_SIZE) * D4 + e % D4;
        kv = k_cache[index];
        vv = v_cache[index];
      }
      k_tile[e] = kv;
      v_tile[e] = vv;
    }
    workgroupBarrier();

    if (valid && k0 <= position) {
      var s: array<f32, BK>;
      var tile_max = MASKED;
      for (var j = 0u; j < BK; j++) {
        var score = MASKED;
        if (k0 + j <= position) {
          var dot4 = vec4<f32>(0.0);
          for (var d = 0u; d < D4; d++) { dot4 += q[d] * vec4<f32>(k_tile[j * D4 + d]); }
          score = dot4.x + dot4.y + dot4.z + dot4.w;
        }
        s[j] = score;
        tile_max = max(tile_max, score);
      }
      let m_new = max(m, tile_max);
      let correction = exp(m - m_new);
      l *= correction;
      for (var d = 0u; d < D4; d++) { acc[d] *= correction; }
      for (var j = 0u; j < BK; j++) {
        if (k0 + j <= position) {
          let weight = exp(s[j] - m_new);
          l += weight;
          for (var d = 0u; d < D4; d++) { acc[d] += weight * vec4<f32>(v_tile[j * D4 + d]); }
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }

  if (valid) {
    let out_base = (piece.q_row + qi) * out_stride4 + head * D4;
    for (var d = 0u; d < D4; d++) { out[out_base + d] = T4(acc[d] / l); }
  }
}
