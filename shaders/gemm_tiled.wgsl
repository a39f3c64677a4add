// C[M,N] = A[M,K] · B[K,N], row-major. Requires N % 4 == 0 and K % 4 == 0.
// A workgroup of WG_X × WG_Y invocations computes a BM × BN tile of C (BM = WG_Y·TM, BN = WG_X·TN4·4),
// walking K in steps of BK: the A and B tiles are staged in workgroup memory with vec4 loads, and each
// invocation keeps a TM × (TN4·4) register tile of accumulators (f32 for both dtypes).
// Specialization: WG_X, WG_Y, TM, TN4, BK (multiple of 4).
struct Params { m: u32, n: u32, k: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<T4>;
@group(0) @binding(2) var<storage, read> b: array<T4>;
@group(0) @binding(3) var<storage, read_write> c: array<T4>;

const BM: u32 = WG_Y * TM;
const BN4: u32 = WG_X * TN4;
const BK4: u32 = BK / 4u;
const THREADS: u32 = WG_X * WG_Y;

// A tile as BM rows of BK4 vec4 (along k); B tile as BK rows of BN4 vec4 (along n).
var<workgroup> tile_a: array<T4, BM * BK4>;
var<workgroup> tile_b: array<T4, BK * BN4>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let k4 = p.k / 4u;
  let n4 = p.n / 4u;
  let row0 = wg.y * BM;
  let col40 = wg.x * BN4;

  var acc: array<array<vec4<f32>, TN4>, TM>;
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN4; j++) { acc[i][j] = vec4<f32>(0.0); }
  }

  for (var kt = 0u; kt < k4; kt += BK4) {
    for (var e = tid; e < BM * BK4; e += THREADS) {
      let r = e / BK4;
      let kk = e % BK4;
      let gr = row0 + r;
      let gk = kt + kk;
      var v = T4(0.0);
      if (gr < p.m && gk < k4) { v = a[gr * k4 + gk]; }
      tile_a[e] = v;
    }
    for (var e = tid; e < BK * BN4; e += THREADS) {
      let r = e / BN4;
      let cc = e % BN4;
      let gk = kt * 4u + r;
      let gc = col40 + cc;
      var v = T4(0.0);
      if (gk < p.k && gc < n4) { v = b[gk * n4 + gc]; }
      tile_b[e] = v;
    }
    workgroupBarrier();

    for (var kk = 0u; kk < BK4; kk++) {
      var bv: array<array<vec4<f32>, TN4>, 4>;
      for (var q = 0u; q < 4u; q++) {
        for (var j = 0u; j < TN4; j++) {
          bv[q][j] = vec4<f32>(tile_b[(kk * 4u + q) * BN4 + lid.x * TN4 + j]);
        }
      }
      for (var i = 0u; i < TM; i++) {
        let av = vec4<f32>(tile_a[(lid.y * TM + i) * BK4 + kk]);
        for (var j = 0u; j < TN4; j++) {
          acc[i][j] += av.x * bv[0][j] + av.y * bv[1][j] + av.z * bv[2][j] + av.w * bv[3][j];
        }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let gr = row0 + lid.y * TM + i;
    if (gr >= p.m) { break; }
    for (var j = 0u; j < TN4; j++) {
      let gc = col40 + lid.x * TN4 + j;
      if (gc < n4) {
        let index = gr * n4 + gc;
        c[index] = T4(acc[i][j]);
      }
    }
  }
}
