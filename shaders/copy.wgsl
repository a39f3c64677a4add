// Streams `count` words from src to dst: the achievable memory bandwidth. Each workgroup copies one
// contiguous chunk, so a workgroup's accesses stay sequential (CPU adapters prefetch them) and the
// invocations of a workgroup touch adjacent words (GPUs coalesce them). The word is a vec4 of u32
// (wide accesses for GPUs) or a u32 (which CPU adapters, running invocations as SIMD lanes, turn into
// plain vector loads and stores rather than gathers and scatters); the profiler keeps the faster.
// Specialization: WG (invocations per workgroup), WORD (1 or 4 u32 per word).
struct Params { count: u32, chunk: u32, groups_x: u32, pad: u32 }
alias Word = vec4<u32>;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<Word>;
@group(0) @binding(2) var<storage, read_write> dst: array<Word>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wg.y * p.groups_x + wg.x;
  let start = group * p.chunk;
  let end = min(start + p.chunk, p.count);
  for (var i = start + lid; i < end; i += WG) {
    dst[i] = src[i];
  }
}
