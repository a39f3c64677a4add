import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../src/engine/hardware/catalog.js';
import { enumeratePlans } from '../../../src/engine/memory/plans.js';
import { getModel } from '../../../src/engine/model/catalog.js';
import { engineExpertLayout } from '../../../src/engine/perf/expert-weight-layout.js';
import { plansMarkdown } from '../../../src/extension/reports.js';

const model = getModel('gpt-oss-120b');
const hardware = getHardware('h100-sxm');
const dtypes = { weightDtype: 'mxfp4', kvDtype: 'bf16' } as const;

describe('memory report (Markdown)', () => {
  it("says how the engine holds the weights where it holds more than the checkpoint's bytes", () => {
    const expertLayout = engineExpertLayout({ id: 'vllm' }, hardware, model, 'mxfp4');
    assert.ok(expertLayout);
    const md = plansMarkdown(enumeratePlans(model, hardware, 2, dtypes, { expertLayout }), null);
    assert.match(md, /Weights as vLLM Triton MXFP4 MoE \(Hopper\) holds them: .*block scales held twice/);
    // KV tokens with thousands separators, as `servetune memory` prints them.
    assert.match(md, /\| TP1 × DP2 \| 64\.2 \| 6\.1 \| 177,072 \| 2 \| yes \|/);
  });

  it('says nothing of it for the checkpoint’s own bytes', () => {
    const md = plansMarkdown(enumeratePlans(model, hardware, 2, dtypes, {}), null);
    assert.doesNotMatch(md, /Weights as/);
  });
});
