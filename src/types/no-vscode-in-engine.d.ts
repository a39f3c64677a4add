// tsconfig.engine.json maps `vscode` here so that an engine file importing it fails to compile
// ("is not a module"): src/engine runs in plain Node and the CLI, where there is no VS Code API.
declare const engineCodeMustNotImportVscode: unique symbol;
