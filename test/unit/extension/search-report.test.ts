import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchServing } from '../../../src/engine/search/run.js';
import { Slo } from '../../../src/engine/search/schema.js';
import { searchMarkdown } from '../../../src/extension/search-report.js';
import { smallSearchInput } from '../helpers/small-search.js';

describe('search report (Markdown)', () => {
  it('says which load the configurations were compared at: closed loop and its clients, or the rate', async () => {
    const input = smallSearchInput('constant:rate=2,prompt=fixed(768),output=fixed(128),n=240', 240);
    const closed = searchMarkdown(await searchServing({ ...input, concurrency: 16 }));
    assert.match(closed, /^- Workload: 240 requests of `.*` closed loop, 16 clients, no think time$/m);
    assert.match(closed, /^With 16 clients, serves [\d.]+ req\/s within the SLOs\./m);
    const openResult = await searchServing(input);
    const open = searchMarkdown(openResult);
    assert.match(open, /^- Workload: 240 requests of `.*` at 2\.00 req\/s$/m);
    assert.match(open, /^Sustains [\d.]+ req\/s within the SLOs\./m);
    // Speculation searched (the editor's "+ speculative decoding"): why it was or was not chosen.
    assert.doesNotMatch(open, /speculation/i);
    const why = 'speculation not chosen: no EAGLE-3 k beat the plain decode under the SLOs';
    assert.match(
      searchMarkdown({ ...openResult, speculation: why }),
      /^- Speculation not chosen: no EAGLE-3 k beat/m,
    );
    // Disaggregation searched (the editor's "+ disaggregation"): the split against colocated.
    assert.match(
      searchMarkdown({ ...openResult, disaggregation: 'disaggregation not chosen: the best split …' }),
      /^- Disaggregation not chosen: the best split …$/m,
    );
    // The measured engine version that timed the steps, as the CLI prints it.
    assert.match(
      searchMarkdown({ ...openResult, timedWith: 'vllm → measured vllm 0.24.0 on l40s' }),
      /^- Steps timed with vllm → measured vllm 0\.24\.0 on l40s$/m,
    );
    // A TPOT target: the best line and the latency front show TPOT next to TTFT and TBT.
    assert.doesNotMatch(open, /TPOT/);
    const tpot = searchMarkdown({ ...openResult, slo: Slo.parse({ ttft: 1.5, tpot: 0.05 }) });
    assert.match(tpot, /req\/s: TTFT p90 [\d.]+ m?s, TBT p90 [\d.]+ m?s, TPOT p90 [\d.]+ m?s, /);
    assert.match(
      tpot,
      /^\| Configuration \| TTFT p90 \| TBT p90 \| TPOT p90 \| meets SLO \| max req\/s \|$/m,
    );
  });
});
