import * as vscode from 'vscode';
import type { ConfigController } from './controller.js';
import { workspaceEdit } from './edits.js';

/** Quick fixes for ServeTune's diagnostics: the fix's edits as one WorkspaceEdit. */
export class ConfigQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly controller: ConfigController) {}

  provideCodeActions(
    _document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const fix = this.controller.fixes.get(diagnostic)?.fix;
      if (!fix || fix.edits.length === 0 || fix.problems.length > 0) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.edit = workspaceEdit(fix.edits);
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
