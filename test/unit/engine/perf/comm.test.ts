import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { allReduceSeconds, allToAllSeconds, groupLink } from '../../../../src/engine/perf/comm.js';

const gb200 = getHardware('gb200');
const b200 = getHardware('b200');
const efficiency = 0.8;
// One decode step's TP all-reduce for a 16k-hidden model at 64 tokens, bf16.
const bytes = 64 * 16384 * 2;

describe('collectives across a scale-up domain', () => {
  it('prices a GB200 NVL72 TP16 all-reduce on NVLink 5, inside the rack', () => {
    const link = groupLink(gb200, 16);
    assert.equal(gb200.intraNode.generation, 'NVLink 5');
    assert.deepEqual(link, {
      bytesPerSecond: gb200.intraNode.bytesPerSecondPerDirection,
      latencySeconds: gb200.intraNode.latencySeconds,
    });
    assert.ok(16 > gb200.gpusPerNode, 'TP16 spans several GB200 trays');
  });

  it('sends a B200 (HGX, 8-GPU domain) TP16 all-reduce over the network', () => {
    assert.deepEqual(groupLink(b200, 16), {
      bytesPerSecond: b200.interNodeBytesPerSecond,
      latencySeconds: b200.interNodeLatencySeconds,
    });
    assert.deepEqual(groupLink(b200, 8), {
      bytesPerSecond: b200.intraNode.bytesPerSecondPerDirection,
      latencySeconds: b200.intraNode.latencySeconds,
    });
  });

  it('so the same TP16 all-reduce costs the B200 many times what it costs the GB200', () => {
    const onNvlink = allReduceSeconds(bytes, 16, groupLink(gb200, 16), efficiency);
    const onNetwork = allReduceSeconds(bytes, 16, groupLink(b200, 16), efficiency);
    // 900 GB/s NVLink against a 50 GB/s NIC, and 3 µs against 5 µs of latency.
    assert.ok(onNetwork > 5 * onNvlink, `network ${onNetwork} s, NVLink ${onNvlink} s`);
  });

  it('keeps GB200 expert-parallel all-to-all on NVLink up to the rack, and crosses racks on the network', () => {
    assert.equal(groupLink(gb200, 32).bytesPerSecond, gb200.intraNode.bytesPerSecondPerDirection);
    assert.equal(groupLink(gb200, 72).bytesPerSecond, gb200.intraNode.bytesPerSecondPerDirection);
    assert.equal(groupLink(gb200, 144).bytesPerSecond, gb200.interNodeBytesPerSecond);
    const ep32 = allToAllSeconds(1e8, 32, gb200, efficiency);
    const ep144 = allToAllSeconds(1e8, 144, gb200, efficiency);
    // EP32 inside the rack: 31 peers' shares over NVLink 5. EP144 over two racks: the 72 peers in the
    // other rack over the network set the time (the 71 in its own rack go over NVLink at the same time).
    const nvlink = gb200.intraNode;
    const expected32 =
      nvlink.latencySeconds + (31 * (1e8 / 32)) / (nvlink.bytesPerSecondPerDirection * efficiency);
    const expected144 =
      gb200.interNodeLatencySeconds + (72 * (1e8 / 144)) / (gb200.interNodeBytesPerSecond * efficiency);
    assert.ok(Math.abs(ep32 - expected32) < 1e-12, `${ep32} against ${expected32}`);
    assert.ok(Math.abs(ep144 - expected144) < 1e-12, `${ep144} against ${expected144}`);
  });

  it('takes the node as the domain of a device described without one', () => {
    const { scaleUpDomain: _, ...described } = gb200;
    assert.equal(groupLink(described, 4).bytesPerSecond, gb200.intraNode.bytesPerSecondPerDirection);
    assert.equal(groupLink(described, 8).bytesPerSecond, gb200.interNodeBytesPerSecond);
  });
});
