/**
 * Tree drafting (EAGLE-2's dynamic tree, SGLang's `--speculative-eagle-topk` > 1, vLLM's
 * `speculative_token_tree`, TensorRT-LLM's dynamic tree): the drafter proposes its top-k candidates
 * at each depth, and the target verifies a tree of `tokens` nodes (the root, its own token, included)
 * in one pass; the longest accepted path is emitted.
 *
 * Acceptance under the positional model (Sequoia, Chen et al. 2024): a candidate is accepted with a
 * probability set by its depth d and its rank j among its siblings, given its parent was accepted.
 * Siblings are exclusive (at most one matches the target's token), so with the chain's rate αd for the
 * top candidate, the j-th is accepted with qd,1 = αd and, for j ≥ 2,
 *   qd,j = (1 − αd) · c · (1 − c)^(j−2),  c = SIBLING_FACTOR · αd
 * (each lower-ranked candidate catches a share c of what the ones above it missed). A tree T emits
 *   E[T] = 1 + Σ_{v ∈ T} Π_{u on the path root→v} q(u)
 * tokens per verification (Sequoia's F(T)). The tree ServeTune builds is the best of that size: the
 * `tokens − 1` nodes of highest path probability among depth ≤ k, width ≤ topk (EAGLE-2 reranks its
 * candidates by the draft's confidence, which stands in for that probability).
 */

/**
 * The share of what the higher-ranked candidates missed that the next one catches, relative to the
 * top candidate's rate: fitted so that EAGLE-2's tree (depth 6, top-10, 60 tokens) at EAGLE's chain
 * rate 0.75 accepts 4.9 tokens per verification, within the 4.7-5 EAGLE-2 (Li et al., EMNLP 2024)
 * reports on MT-bench, where a chain of 6 at that rate accepts 3.5. An assumption of ServeTune's
 * (docs/speculation.md).
 */
export const SIBLING_FACTOR = 0.4;

export interface DraftTree {
  /** Drafted nodes (the root excluded): what a sequence verifies beyond the target's own token. */
  readonly size: number;
  /** The longest path: draft passes per step. */
  readonly depth: number;
  /** Candidates per node at most: tokens each draft pass after the first takes per sequence. */
  readonly width: number;
  /** Per node, breadth-first, the root at 0: its first child's index, its children (ranks 1..n), its depth. */
  readonly firstChild: Int32Array;
  readonly childCount: Int32Array;
  readonly nodeDepth: Int32Array;
  /** Per node: its rank among its siblings (1-based; the root's 0) and its parent (the root's −1). */
  readonly rank: Int32Array;
  readonly parent: Int32Array;
  /** E[T] under the rates it was built for. */
  readonly expectedTokens: number;
}

/** q(d, j): the chance the rank-j candidate is accepted, given its parent was, with top rate `alpha`. */
export function candidateRate(alpha: number, rank: number, siblingFactor = SIBLING_FACTOR): number {
  if (rank === 1) return alpha;
  const c = siblingFactor * alpha;
  let q = (1 - alpha) * c;
  for (let j = 2; j < rank; j++) q *= 1 - c;
  return q;
}

interface Candidate {
  parent: number;
  depth: number;
  rank: number;
  reach: number;
}

/**
 * The best tree of `tokens` nodes (root included) within depth `depth` and width `topk`, for per-depth
 * top-candidate rates `rates` (index d − 1; the last repeats): best-first, always taking the open
 * candidate of highest path probability (its ancestors, more probable, are already in).
 */
export function buildDraftTree(
  rates: Float64Array,
  depth: number,
  topk: number,
  tokens: number,
  siblingFactor = SIBLING_FACTOR,
): DraftTree {
  const rateAt = (d: number) => rates[Math.min(d - 1, rates.length - 1)];
  const chosen: Candidate[] = [];
  const open: Candidate[] = [];
  const expand = (parent: number, d: number, reach: number) => {
    if (d > depth) return;
    for (let j = 1; j <= topk; j++)
      open.push({ parent, depth: d, rank: j, reach: reach * candidateRate(rateAt(d), j, siblingFactor) });
  };
  expand(-1, 1, 1);
  while (chosen.length < tokens - 1 && open.length > 0) {
    let best = 0;
    for (let i = 1; i < open.length; i++) if (open[i].reach > open[best].reach) best = i;
    const [node] = open.splice(best, 1);
    chosen.push(node);
    expand(chosen.length - 1, node.depth + 1, node.reach);
  }
  return layOut(chosen, topk);
}

/** The chosen nodes breadth-first, each node's children contiguous in rank order. */
function layOut(chosen: readonly Candidate[], width: number): DraftTree {
  const children: number[][] = [[]];
  for (let i = 0; i < chosen.length; i++) children.push([]);
  for (let i = 0; i < chosen.length; i++) children[chosen[i].parent + 1].push(i + 1);
  for (const list of children) list.sort((a, b) => chosen[a - 1].rank - chosen[b - 1].rank);
  const n = chosen.length + 1;
  const tree = {
    firstChild: new Int32Array(n),
    childCount: new Int32Array(n),
    nodeDepth: new Int32Array(n),
    rank: new Int32Array(n),
    parent: new Int32Array(n).fill(-1),
  };
  const order = [0];
  for (let at = 0; at < order.length; at++) {
    const kids = children[order[at]];
    tree.firstChild[at] = order.length;
    tree.childCount[at] = kids.length;
    for (const kid of kids) {
      const index = order.length;
      order.push(kid);
      tree.nodeDepth[index] = chosen[kid - 1].depth;
      tree.rank[index] = chosen[kid - 1].rank;
      tree.parent[index] = at;
    }
  }
  let depth = 0;
  for (const node of chosen) depth = Math.max(depth, node.depth);
  const expectedTokens = 1 + chosen.reduce((sum, node) => sum + node.reach, 0);
  return { size: chosen.length, depth, width, ...tree, expectedTokens };
}

/**
 * Each drafted node as the ranks (0-based) of the path from the root to it, in breadth-first order:
 * vLLM's `speculative_token_tree` (`[(0,), (1,), (0, 0)]`).
 */
export function treePaths(tree: DraftTree): number[][] {
  const paths: number[][] = [[]];
  for (let i = 1; i <= tree.size; i++) paths.push([...paths[tree.parent[i]], tree.rank[i] - 1]);
  return paths.slice(1);
}

/** A tree's depth, width and size (root included) from its paths, as ServeTune models it. */
export function treeShapeOfPaths(paths: readonly (readonly number[])[]): {
  depth: number;
  topk: number;
  tokens: number;
} {
  let depth = 0;
  let topk = 1;
  for (const path of paths) {
    depth = Math.max(depth, path.length);
    for (const rank of path) topk = Math.max(topk, rank + 1);
  }
  return { depth, topk, tokens: paths.length + 1 };
}
