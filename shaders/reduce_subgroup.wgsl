// workgroup_sum with subgroups: subgroupAdd within each subgroup, then one value per subgroup through
// workgroup memory. Subgroups are taken to hold consecutive local invocation indices, which is how
// Vulkan, Metal and D3D12 lay out one-dimensional workgroups.
var<workgroup> reduce_scratch: array<f32, WG>;

fn workgroup_sum(value: f32, lid: u32, sg_lane: u32, sg_size: u32) -> f32 {
  let partial = subgroupAdd(value);
  if (sg_lane == 0u) { reduce_scratch[lid / sg_size] = partial; }
  workgroupBarrier();
  let groups = (WG + sg_size - 1u) / sg_size;
  var total = 0.0;
  for (var i = 0u; i < groups; i++) { total += reduce_scratch[i]; }
  workgroupBarrier();
  return total;
}
