import fs from 'node:fs';

/**
 * Self time by function from a V8 CPU profile (`node --cpu-prof`), counting only the samples
 * taken inside a window (CLOCK_MONOTONIC µs, the clock of the profile's timestamps), so the
 * start-up, the warm-up and the fetching of forms before a window are left out.
 */

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Where the function lives: a package, node, our code (dist/…) or V8 itself. */
  area: string;
  micros: number;
}

export interface Summary {
  /** Every sample's time in the window but idle (µs). */
  total: number;
  /** Self time by function and by area. */
  functions: SelfTime[];
  areas: SelfTime[];
  /** Our own functions (dist/…) with everything they call: where the middleware's time goes. */
  ours: SelfTime[];
}

export function selfTimes(file: string, window: { startUs: number; endUs: number }): Summary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const functions = new Map<string, SelfTime>();
  const areas = new Map<string, SelfTime>();
  const ours = new Map<string, SelfTime>();
  let total = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    // A sample's time is the gap to the next one.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    if (t < window.startUs || t >= window.endUs) continue;
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const area = areaOf(frame.url, frame.functionName);
    add(functions, nameOf(frame), area, micros);
    add(areas, area, area, micros);
    total += micros;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const name = nameOf(f);
      if (areaOf(f.url, f.functionName) !== 'portal' || seen.has(name)) continue; // recursion counts once
      seen.add(name);
      add(ours, name, 'portal', micros);
    }
  }
  const sorted = (m: Map<string, SelfTime>) => [...m.values()].sort((a, b) => b.micros - a.micros);
  return { total, functions: sorted(functions), areas: sorted(areas), ours: sorted(ours) };
}

function nameOf(frame: ProfileNode['callFrame']): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`.trim();
}

function add(map: Map<string, SelfTime>, name: string, area: string, micros: number): void {
  const entry = map.get(name) ?? { name, area, micros: 0 };
  entry.micros += micros;
  map.set(name, entry);
}

function areaOf(url: string, functionName: string): string {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(dist(?:-bench)?\/.*)$/.exec(url);
  if (ours) return 'portal';
  if (functionName.startsWith('(')) return functionName; // (garbage collector), (program)
  return 'native';
}

function shortUrl(url: string): string {
  return url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist(-bench)?\//, '').replace(/^node:/, '');
}
