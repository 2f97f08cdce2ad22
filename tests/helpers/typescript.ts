import ts from "typescript";

/** Syntax errors TypeScript finds in one module (TSX allowed), without type checking. */
export function syntaxErrors(source: string, fileName: string): string[] {
  const result = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { jsx: ts.JsxEmit.ReactJSX, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  return (result.diagnostics ?? []).map((d) => `${fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}
