// C[M,N] = A[M,K] · B[K,N], all row-major: one invocation per output element, every operand read from
// global memory. The baseline the tiled kernel is measured against.
struct Params { m: u32, n: u32, k: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> c: array<T>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let row = gid.y;
  if (row >= p.m || col >= p.n) { return; }
  var sum = 0.0;
  for (var i = 0u; i < p.k; i++) {
    sum += f32(a[row * p.k + i]) * f32(b[i * p.n + col]);
  }
  c[row * p.n + col] = T(sum);
}
