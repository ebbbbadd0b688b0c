// Where `vscode` resolves outside src/extension (tsconfig.node.json): not a module, so an import of
// it fails with TS2306. Only the extension runs inside VS Code; everything else runs on plain Node.
