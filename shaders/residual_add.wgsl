// Residual connection, in place: x[i] += y[i] over `count` vec4 words; the grid is folded over x and y.
struct Params { count: u32, groups_x: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<T4>;
@group(0) @binding(2) var<storage, read> y: array<T4>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * p.groups_x + wg.x) * 64u + lid;
  if (i >= p.count) { return; }
  x[i] = T4(vec4<f32>(x[i]) + vec4<f32>(y[i]));
}
