// Rotary position embedding (Llama/NeoX "rotate half" layout), in place on the q and k heads of each
// token's row: for i < HEAD_DIM/2, (x[i], x[i+HEAD_DIM/2]) rotates by positions[t] · theta^(-2i/HEAD_DIM).
// Rows are `row_stride` elements apart; the rotated heads are the first `heads` of each row.
// One invocation per (token, head, i); the grid is folded over x and y. Specialization: HEAD_DIM.
struct Params { tokens: u32, heads: u32, row_stride: u32, groups_x: u32, theta: f32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> positions: array<u32>;
@group(0) @binding(2) var<storage, read_write> x: array<T>;

const HALF: u32 = HEAD_DIM / 2u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wg.y * p.groups_x + wg.x) * 64u + lid;
  let i = id % HALF;
  let head = (id / HALF) % p.heads;
  let token = id / (HALF * p.heads);
  if (token >= p.tokens) { return; }
  let inv_freq = pow(p.theta, -f32(2u * i) / f32(HEAD_DIM));
  let angle = f32(positions[token]) * inv_freq;
  let c = cos(angle);
  let s = sin(angle);
  let base = token * p.row_stride + head * HEAD_DIM;
  let x1 = f32(x[base + i]);
  let x2 = f32(x[base + i + HALF]);
  x[base + i] = T(x1 * c - x2 * s);
  x[base + i + HALF] = T(x2 * c + x1 * s);
}
