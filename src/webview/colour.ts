/**
 * A theme colour without its alpha. VS Code's chart colours may be translucent: Dark and Light Modern
 * derive `charts.orange` from `minimap.findMatchHighlight`, itself from the find-match highlight
 * (#ea5c0055 in code-server 4.139.1's default themes), which over the editor background draws a brown or
 * peach a point marker is hard to see in. A chart marker wants the hue at full strength; the colours
 * VS Code writes into a webview's variables are hex (#rgb, #rgba, #rrggbb, #rrggbbaa) or rgb()/rgba().
 */
export function opaqueColour(colour: string): string {
  const value = colour.trim();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(value)?.[1];
  if (hex) return hex.length === 4 || hex.length === 8 ? `#${hex.slice(0, hex.length === 4 ? 3 : 6)}` : value;
  const rgba = /^rgba?\(\s*([^,\s]+)\s*,\s*([^,\s]+)\s*,\s*([^,\s)]+)\s*(?:,\s*[^)]+)?\)$/i.exec(value);
  if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
  return value;
}
