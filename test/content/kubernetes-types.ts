import { join } from 'node:path';
import ts from 'typescript';

/**
 * kubernetes-models' validators check types and required fields but accept unknown fields, so a
 * typo like `replcas` would pass them (and the API server would drop it, or refuse it with
 * --validate=strict). Its TypeScript declarations do know every field: each document is written
 * out as an object literal typed with the model's interface (IDeployment, ICronJob, ...), and the
 * compiler's excess-property check reports any field the Kubernetes API does not have, at any
 * depth, along with any value of the wrong type.
 */
export interface TypedDocument {
  where: string;
  apiVersion: string;
  kind: string;
  body: unknown;
}

/** The module of kubernetes-models that declares a kind: `apps/v1` + `Deployment`, `v1` + `Service`. */
export const modelModule = (apiVersion: string, kind: string) => `kubernetes-models/${apiVersion}/${kind}`;

const parsedDeclarations = new Map<string, ts.SourceFile>();

/** Returns one line per problem, `<where>: <compiler message>`; none when every document is well-typed. */
export function typeProblems(docs: TypedDocument[]): string[] {
  // A file that does not exist on disk but sits in the project, so node_modules resolve as usual.
  const virtual = join(process.cwd(), 'test', 'content', '__typed-manifests__.ts');
  const lines: string[] = [];
  const spans: { where: string; start: number; end: number }[] = [];
  docs.forEach((doc, i) => {
    lines.push(`import type { I${doc.kind} as T${i} } from '${modelModule(doc.apiVersion, doc.kind)}';`);
  });
  let text = `${lines.join('\n')}\n`;
  docs.forEach((doc, i) => {
    const start = text.length;
    text += `export const d${i}: T${i} = ${JSON.stringify(doc.body, null, 1)};\n`;
    spans.push({ where: doc.where, start, end: text.length });
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) => {
    if (name === virtual) return ts.createSourceFile(name, text, language);
    // Parsing the declarations is most of the cost; they never change during a test run.
    let file = parsedDeclarations.get(name);
    if (!file) {
      file = getSourceFile(name, language, onError);
      if (file) parsedDeclarations.set(name, file);
    }
    return file;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  const source = program.getSourceFile(virtual)!;
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  return diagnostics.map((d) => {
    const at = d.start ?? 0;
    const where = spans.find((s) => at >= s.start && at < s.end)?.where ?? 'imports';
    const path = fieldPath(source, at);
    return `${where}: ${path ? `${path}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

/** The property path of the node at a position, like `spec.template.spec.containers[0].livenessProbe`. */
function fieldPath(source: ts.SourceFile, position: number): string {
  const parts: string[] = [];
  let node: ts.Node | undefined = findNode(source, position);
  while (node && !ts.isVariableDeclaration(node)) {
    if (ts.isPropertyAssignment(node) && ts.isStringLiteral(node.name)) parts.unshift(node.name.text);
    if (ts.isArrayLiteralExpression(node.parent ?? node) && node.parent !== undefined) {
      const index = (node.parent as ts.ArrayLiteralExpression).elements.indexOf(node as ts.Expression);
      if (index >= 0) parts.unshift(`[${index}]`);
    }
    node = node.parent;
  }
  return parts.join('.').replace(/\.\[/g, '[');
}

function findNode(node: ts.Node, position: number): ts.Node | undefined {
  if (position < node.getStart() || position >= node.getEnd()) return undefined;
  for (const child of node.getChildren()) {
    const found = findNode(child, position);
    if (found) return found;
  }
  return node;
}
