// SwiGLU activation: y[t,j] = silu(x[t,j]) · x[t,width+j] for a row [gate | up] of 2·width.
// Requires width % 4 == 0; one invocation per vec4 of y, the grid folded over x and y.
struct Params { tokens: u32, width: u32, groups_x: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<T4>;
@group(0) @binding(2) var<storage, read_write> y: array<T4>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wg.y * p.groups_x + wg.x) * 64u + lid;
  let w4 = p.width / 4u;
  let token = id / w4;
  if (token >= p.tokens) { return; }
  let j = id % w4;
  let gate = vec4<f32>(x[token * 2u * w4 + j]);
  let up = vec4<f32>(x[token * 2u * w4 + w4 + j]);
  y[token * w4 + j] = T4(gate / (1.0 + exp(-gate)) * up);
}
