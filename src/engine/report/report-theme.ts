// The VS Code theme variables a report page defines for itself: outside the editor nothing sets them, and
// the editor's stylesheet (media/webview.css) and chart code (src/webview/theme.ts) read them. Light and
// dark follow the reader's `prefers-color-scheme`, with the values of VS Code's Light and Dark Modern.

const LIGHT: Record<string, string> = {
  '--vscode-foreground': '#1f1f1f',
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#1f1f1f',
  '--vscode-sideBar-background': '#ffffff',
  '--vscode-descriptionForeground': '#616161',
  '--vscode-editorWidget-border': '#d0d0d0',
  '--vscode-widget-border': '#d0d0d0',
  '--vscode-textLink-foreground': '#005fb8',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#0258a8',
  '--vscode-button-border': '#0000001a',
  '--vscode-dropdown-background': '#ffffff',
  '--vscode-dropdown-foreground': '#3b3b3b',
  '--vscode-dropdown-border': '#cecece',
  '--vscode-charts-blue': '#1a73e8',
  '--vscode-charts-orange': '#c26d00',
  '--vscode-charts-green': '#2e9e44',
  '--vscode-charts-red': '#d93025',
  '--vscode-charts-foreground': '#707070',
  '--vscode-focusBorder': '#0b57d0',
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '14px',
};

const DARK: Record<string, string> = {
  ...LIGHT,
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-editor-foreground': '#d4d4d4',
  '--vscode-sideBar-background': '#1e1e1e',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-widget-border': '#454545',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-border': '#ffffff12',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-foreground': '#a0a0a0',
  '--vscode-focusBorder': '#007fd4',
};

/** The variables a report defines in each colour scheme. */
export const REPORT_THEME = { light: LIGHT, dark: DARK } as const;

const declarations = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([name, value]) => `${name}: ${value};`)
    .join(' ');

/** The CSS of a report body's theme: light by default, dark when the reader's scheme is dark. */
export function reportThemeCss(): string {
  return `body.report { ${declarations(LIGHT)} }
@media (prefers-color-scheme: dark) { body.report { ${declarations(DARK)} } }`;
}
