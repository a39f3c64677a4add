import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opaqueColour } from '../../../src/webview/colour.js';

describe('chart series colours at full strength', () => {
  it("drops a hex colour's alpha (the Modern themes' charts.orange is #EA5C0055)", () => {
    assert.equal(opaqueColour('#EA5C0055'), '#EA5C00');
    assert.equal(opaqueColour(' #f008 '), '#f00');
  });

  it('drops an rgba() alpha', () => {
    assert.equal(opaqueColour('rgba(234, 92, 0, 0.33)'), 'rgb(234, 92, 0)');
  });

  it('keeps an opaque colour as it is', () => {
    assert.equal(opaqueColour('#3794ff'), '#3794ff');
    assert.equal(opaqueColour('#fff'), '#fff');
    assert.equal(opaqueColour('rgb(1, 2, 3)'), 'rgb(1, 2, 3)');
    assert.equal(opaqueColour('orange'), 'orange');
  });
});
