// y[t,:] = x[t,:] / sqrt(mean(x[t,:]²) + eps) · weight, one workgroup per row (grid folded over x, y).
// The sum of squares goes through `workgroup_sum`, which the wrapper takes from reduce_subgroup.wgsl
// (subgroupAdd, where the device has subgroups) or reduce_shared.wgsl (a tree in workgroup memory).
// Requires width % 4 == 0. Specialization: WG (a power of two).
struct Params { rows: u32, width: u32, groups_x: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<T4>;
@group(0) @binding(2) var<storage, read> weight: array<T4>;
@group(0) @binding(3) var<storage, read_write> y: array<T4>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32 /*@subgroup_builtins*/) {
  let row = wg.y * p.groups_x + wg.x;
  if (row >= p.rows) { return; }
  let w4 = p.width / 4u;
  let base = row * w4;
  var sq = 0.0;
  for (var i = lid; i < w4; i += WG) {
    let v = vec4<f32>(x[base + i]);
    sq += dot(v, v);
  }
  let total = workgroup_sum(sq, lid /*@subgroup_args*/);
  let scale = inverseSqrt(total / f32(p.width) + p.eps);
  for (var i = lid; i < w4; i += WG) {
    y[base + i] = T4(vec4<f32>(x[base + i]) * scale * vec4<f32>(weight[i]));
  }
}
