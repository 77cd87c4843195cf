/** Tiny test helpers (no Testing Library here): render into jsdom through react-dom and act. */
import { notifyManager, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
// Query and mutation state reaches components at once, inside the test's act().
notifyManager.setScheduler((callback) => callback());

export function testQueryClient(options: { mutationRetry?: number } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false },
      mutations: { retry: options.mutationRetry ?? 0, retryDelay: 0 },
    },
  });
}

export interface Rendered {
  container: HTMLElement;
  rerender: (ui: ReactNode) => void;
  unmount: () => void;
}

export function render(ui: ReactNode, client: QueryClient = testQueryClient()): Rendered {
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root: Root = createRoot(container);
  const wrap = (node: ReactNode) => (
    <QueryClientProvider client={client}>{node}</QueryClientProvider>
  );
  act(() => root.render(wrap(ui)));
  return {
    container,
    rerender: (next) => act(() => root.render(wrap(next))),
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Render a hook; ``result.current`` is its latest value. */
export function renderHook<T>(
  hook: () => T,
  client: QueryClient = testQueryClient(),
): { result: { current: T }; unmount: () => void } {
  const result = {} as { current: T };
  function Probe() {
    result.current = hook();
    return null;
  }
  const { unmount } = render(<Probe />, client);
  return { result, unmount };
}

/** A fetch double: answers in order; each call's path, method and headers are kept. */
export function fakeFetch(answers: (() => Response)[]) {
  const calls: { path: string; method: string; headers: Headers; body: unknown }[] = [];
  const fetch = async (path: string, init: RequestInit = {}) => {
    calls.push({
      path,
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    });
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${path}`);
    return answer();
  };
  return { fetch, calls };
}

export const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** What a dropped connection looks like to fetch. */
export const offline = () => {
  throw new TypeError("Failed to fetch");
};

/** A fetch double that answers by path (the first route whose prefix matches, longest first);
 * every request's path is kept in ``paths``. */
export function routeFetch(routes: Record<string, (path: string) => Response>) {
  const paths: string[] = [];
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const fetch = async (path: string) => {
    paths.push(path);
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (!prefix) throw new Error(`unexpected request ${path}`);
    return routes[prefix]!(path);
  };
  return { fetch, paths };
}

/** Type into a controlled input the way a browser does (React listens to "input"). */
export function typeInto(input: HTMLInputElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
  act(() => {
    setter?.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

/** Let pending promises (fetch doubles, queries) settle inside act; works under fake timers. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 30; i += 1) await Promise.resolve();
  });
}
