import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENGINE = path.resolve(import.meta.dirname, '..', 'engine');

/** The engine's source files (tests aside) and the engine files each imports, by path relative to engine/. */
function importGraph(): Map<string, string[]> {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
        ? [full]
        : [];
    });
  const graph = new Map<string, string[]>();
  for (const file of walk(ENGINE)) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .flatMap((name) => {
        const resolved = path.resolve(path.dirname(file), name);
        return [`${resolved}.ts`, path.join(resolved, 'index.ts')]
          .filter((candidate) => fs.existsSync(candidate))
          .slice(0, 1);
      });
    graph.set(
      path.relative(ENGINE, file),
      targets.map((t) => path.relative(ENGINE, t)),
    );
  }
  return graph;
}

/** The import circles: strongly connected components of more than one file, or a file importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const LAYERS = ['method', 'train', 'runtime'] as const;

describe("the engine's import graph", () => {
  const graph = importGraph();

  it('has no import circle', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(circles(graph)).toEqual([]);
  });

  it('finds a circle when there is one (the check itself)', () => {
    expect(
      circles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
          ['d.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('runs method → train → runtime, never back up', () => {
    const layer = (file: string) => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);
    const upward = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => layer(file) >= 0 && layer(t) >= 0 && layer(t) < layer(file)).map((t) => `${file} → ${t}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no folder over 30% of its lines', () => {
    const lines = (file: string) => fs.readFileSync(path.join(ENGINE, file), 'utf8').split('\n').length;
    const total = [...graph.keys()].reduce((sum, file) => sum + lines(file), 0);
    const byFolder = new Map<string, number>();
    for (const file of graph.keys()) {
      const folder = file.includes('/') ? file.split('/')[0]! : '.';
      byFolder.set(folder, (byFolder.get(folder) ?? 0) + lines(file));
    }
    const over = [...byFolder]
      .filter(([, count]) => count / total > 0.3)
      .map(([folder, count]) => `${folder} ${((100 * count) / total).toFixed(1)}%`);
    expect(over).toEqual([]);
  });
});
