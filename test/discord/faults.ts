// Fault injection for REST routes: answer with 429 (+ Retry-After), with a 5xx, or late.
// Rules match a route template (`/interactions/{interaction}/{token}/callback`, or the `:id`
// style discord.js uses in its buckets) or a RegExp on the concrete path, optionally a method.

export type FaultAction =
  | { kind: 'rateLimit'; retryAfterMs: number; global?: boolean }
  | { kind: 'serverError'; status?: number }
  | { kind: 'delay'; ms: number };

export interface FaultMatch {
  route: string | RegExp;
  method?: string;
  /** How many requests the fault applies to; unlimited when omitted. */
  times?: number;
}

export interface FaultHandle {
  readonly hits: number;
  remove(): void;
}

interface FaultRule {
  match: FaultMatch;
  action: FaultAction;
  hits: number;
  removed: boolean;
}

const placeholder = /^(\{[^}]+\}|:[^/]+)$/;

function sameTemplate(a: string, b: string): boolean {
  const left = a.split('/');
  const right = b.split('/');
  return (
    left.length === right.length &&
    left.every((segment, i) => (placeholder.test(segment) && placeholder.test(right[i])) || segment === right[i])
  );
}

export class FaultInjector {
  private readonly rules: FaultRule[] = [];

  add(match: FaultMatch, action: FaultAction): FaultHandle {
    const rule: FaultRule = { match, action, hits: 0, removed: false };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      remove: () => {
        rule.removed = true;
      },
    };
  }

  /** The faults that apply to this request, in the order they were added; each counts one hit. */
  take(method: string, route: string | null, path: string): FaultAction[] {
    const actions: FaultAction[] = [];
    for (const rule of this.rules) {
      if (rule.removed) continue;
      if (rule.match.times !== undefined && rule.hits >= rule.match.times) continue;
      if (rule.match.method && rule.match.method.toUpperCase() !== method) continue;
      const matches =
        typeof rule.match.route === 'string'
          ? route !== null && sameTemplate(rule.match.route, route)
          : rule.match.route.test(path);
      if (!matches) continue;
      rule.hits += 1;
      actions.push(rule.action);
    }
    return actions;
  }

  clear(): void {
    for (const rule of this.rules) rule.removed = true;
    this.rules.length = 0;
  }
}
