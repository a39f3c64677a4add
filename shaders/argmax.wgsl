// ids[r] = argmax over x[r, 0..width) (lowest index on ties), one workgroup per row (grid folded over x, y).
// Greedy sampling on the device, so only one u32 per sampled row is read back instead of its logits.
// Specialization: WG (a power of two).
struct Params { rows: u32, width: u32, groups_x: u32, _pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> ids: array<u32>;

var<workgroup> best_value: array<f32, WG>;
var<workgroup> best_index: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * p.groups_x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.width;
  var value = -3.402823e38;
  var index = 0xffffffffu;
  for (var i = lid; i < p.width; i += WG) {
    let v = f32(x[base + i]);
    if (v > value) { value = v; index = i; }
  }
  best_value[lid] = value;
  best_index[lid] = index;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let v = best_value[lid + stride];
      let j = best_index[lid + stride];
      if (v > best_value[lid] || (v == best_value[lid] && j < best_index[lid])) {
        best_value[lid] = v;
        best_index[lid] = j;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { ids[row] = best_index[0]; }
}
