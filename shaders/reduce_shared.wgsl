// workgroup_sum for devices without subgroups: a tree reduction in workgroup memory (WG a power of two).
var<workgroup> reduce_scratch: array<f32, WG>;

fn workgroup_sum(value: f32, lid: u32) -> f32 {
  reduce_scratch[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { reduce_scratch[lid] += reduce_scratch[lid + stride]; }
    workgroupBarrier();
  }
  let total = reduce_scratch[0];
  workgroupBarrier();
  return total;
}
