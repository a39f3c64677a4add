// Appends each token's k and v heads to the paged KV cache. A token's slot is block · BLOCK_SIZE + offset
// (from the sequence's block table, resolved on the host); the cache is laid out
// [blocks, kv_heads, BLOCK_SIZE, HEAD_DIM] so that one head's keys in a block are contiguous.
// k and v are read from the fused qkv rows: q heads, then kv_heads k heads, then kv_heads v heads.
// Specialization: HEAD_DIM (multiple of 4), BLOCK_SIZE.
struct Params { tokens: u32, heads: u32, kv_heads: u32, groups_x: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qkv: array<T4>;
@group(0) @binding(2) var<storage, read> slots: array<u32>;
@group(0) @binding(3) var<storage, read_write> k_cache: array<T4>;
@group(0) @binding(4) var<storage, read_write> v_cache: array<T4>;

const D4: u32 = HEAD_DIM / 4u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wg.y * p.groups_x + wg.x) * 64u + lid;
  let d = id % D4;
  let h = (id / D4) % p.kv_heads;
  let token = id / (D4 * p.kv_heads);
  if (token >= p.tokens) { return; }
  let row = token * (p.heads + 2u * p.kv_heads) * D4;
  let slot = slots[token];
  let block = slot / BLOCK_SIZE;
  let offset = slot % BLOCK_SIZE;
  let dst = ((block * p.kv_heads + h) * BLOCK_SIZE + offset) * D4 + d;
  k_cache[dst] = qkv[row + (p.heads + h) * D4 + d];
  v_cache[dst] = qkv[row + (p.heads + p.kv_heads + h) * D4 + d];
}
