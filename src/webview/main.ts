import { post } from './api.js';
import { startDashboard } from './dashboard.js';
import { startPareto } from './pareto.js';
import { startValidation } from './validation.js';

// One bundle for every ServeTune webview; the page's data-view says which one this is. Each view
// draws what it saved, then keeps the handshake with connectToHost (api.ts).
const view = document.body.dataset.view;
try {
  if (view === 'dashboard') startDashboard();
  else if (view === 'pareto') startPareto();
  else if (view === 'validation') startValidation();
  else throw new Error(`unknown view ${view}`);
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
