// Skinny GEMM for decode-shaped linears: Y[M,N] = X[M,K] · W[K,N] with few rows.
// Memory-bound on W, so W is streamed once per ROWS rows: an invocation owns one vec4 of output columns
// for ROWS rows and one of KS interleaved slices of K; adjacent invocations read adjacent columns of the
// same W row. The KS partial sums meet in workgroup memory. Grid: (N/4 / CX, ceil(M / ROWS)).
// Specialization: CX (vec4 columns per workgroup), KS (K slices), ROWS.
struct Params { m: u32, n: u32, k: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> w: array<T4>;
@group(0) @binding(3) var<storage, read_write> y: array<T4>;

var<workgroup> partial: array<vec4<f32>, KS * CX * ROWS>;

@compute @workgroup_size(CX, KS)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n4 = p.n / 4u;
  let col = wg.x * CX + lid.x;
  let row0 = wg.y * ROWS;
  var acc: array<vec4<f32>, ROWS>;
  for (var r = 0u; r < ROWS; r++) { acc[r] = vec4<f32>(0.0); }
  if (col < n4) {
    for (var kk = lid.y; kk < p.k; kk += KS) {
      let wv = vec4<f32>(w[kk * n4 + col]);
      for (var r = 0u; r < ROWS; r++) {
        let row = min(row0 + r, p.m - 1u);
        acc[r] += f32(x[row * p.k + kk]) * wv;
      }
    }
  }
  for (var r = 0u; r < ROWS; r++) { partial[(r * KS + lid.y) * CX + lid.x] = acc[r]; }
  workgroupBarrier();
  // Rows spread over the KS invocations of each column for the final sum.
  for (var r = lid.y; r < ROWS; r += KS) {
    var sum = vec4<f32>(0.0);
    for (var s = 0u; s < KS; s++) { sum += partial[(r * KS + s) * CX + lid.x]; }
    let row = row0 + r;
    if (row < p.m && col < n4) {
      let index = row * n4 + col;
      y[index] = T4(sum);
    }
  }
}
