import * as vscode from 'vscode';
import type { TextEdit } from '../../engine/config/source.js';

/** ServeTune's text edits (zero-based lines and UTF-16 columns, like VS Code) as one undoable WorkspaceEdit. */
export function workspaceEdit(edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const { range, newText } of edits) {
    edit.replace(
      vscode.Uri.file(range.file),
      new vscode.Range(range.start.line, range.start.column, range.end.line, range.end.column),
      newText,
    );
  }
  return edit;
}

export function toRange(range: TextEdit['range']): vscode.Range {
  return new vscode.Range(range.start.line, range.start.column, range.end.line, range.end.column);
}
