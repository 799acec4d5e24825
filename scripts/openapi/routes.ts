/**
 * The HTTP routes of the service: every `httpApi` event of functions/<group>/<name>/function.yml
 * (what API Gateway and serverless-offline route).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** One `httpApi` event of a function.yml. */
export interface RouteEntry {
  /** `apillon`, `quantum`, `docs`, ... (the folder under functions/). */
  readonly group: string;
  /** The function's folder name. */
  readonly name: string;
  readonly functionKey: string;
  readonly description: string;
  readonly method: string;
  /** The API Gateway path template (`{location+}` for a greedy parameter). */
  readonly path: string;
}

/** Every HTTP route of every function.yml, in file order. Throws on an `httpApi` line it cannot read. */
export function routeTable(root = ROOT): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const functions = path.join(root, 'functions');
  for (const group of readdirSync(functions).sort()) {
    for (const name of readdirSync(path.join(functions, group)).sort()) {
      let yml: string;
      try {
        yml = readFileSync(path.join(functions, group, name, 'function.yml'), 'utf8');
      } catch {
        continue;
      }
      const functionKey = /^(\w+):/m.exec(yml)?.[1] ?? name;
      const description = /^\s+description:\s*(['"]?)(.*)\1\s*$/m.exec(yml)?.[2] ?? '';
      for (const line of yml.split('\n')) {
        if (!/^\s*-\s*httpApi:/.test(line)) continue;
        // API Gateway's $default route (every request no other route serves): described in info, not as an operation.
        if (/httpApi:\s*['"]\*['"]\s*$/.test(line)) continue;
        const match = /httpApi:\s*\{\s*method:\s*'?([A-Z*]+)'?\s*,\s*path:\s*(?:'([^']+)'|"([^"]+)"|([^\s,}]+))\s*\}/.exec(line);
        if (!match) throw new Error(`functions/${group}/${name}/function.yml: cannot read "${line.trim()}"`);
        routes.push({ group, name, functionKey, description, method: match[1]!, path: (match[2] ?? match[3] ?? match[4])! });
      }
    }
  }
  return routes;
}

