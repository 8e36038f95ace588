/**
 * The Azure Functions Node.js language worker, as far as an app can tell:
 * for loading a built package (package.json `main`) the way the worker does,
 * without the Functions host.
 *
 * Like the worker, it answers `require('@azure/functions-core')`, a module
 * that exists only inside the worker, by wrapping `Module.prototype.require`.
 * The app's own `@azure/functions` (bundled or installed) then hands it the
 * programming model, every function and every hook, as it does on Azure,
 * instead of falling back to its "test mode". {@link FunctionsWorker.start}
 * runs the app's start hooks, and {@link FunctionsWorker.invoke} runs a
 * function as the worker does: through that programming model, from the
 * `http` data the host sends to the response the host gets back, with the
 * pre- and post-invocation hooks around it.
 *
 * @example
 * ```ts
 * const worker = FunctionsWorker.install();
 * worker.load('/path/to/dist/app/functions.js');
 * worker.functions.get('login')?.metadata.bindings; // { httpTrigger1: { route: 'login', … }, $return: … }
 * await worker.start();
 * const response = await worker.invoke('login', { url: 'http://localhost:7071/api/login' });
 * response.statusCode; // '302'
 * worker.uninstall();
 * ```
 */
import { randomUUID } from 'node:crypto';
import Module, { createRequire } from 'node:module';

export interface WorkerBinding {
  type: string;
  direction: 'in' | 'out';
  route?: string;
  methods?: string[];
  authLevel?: string;
}

export interface WorkerFunction {
  metadata: { name: string; bindings: Record<string, WorkerBinding> };
  callback: (...args: unknown[]) => unknown;
}

/** The host's response shape (RPC `http`), as the app's programming model returns it. */
export interface WorkerHttpResponse {
  statusCode: string;
  headers: Record<string, string>;
  cookies: Array<{
    name: string;
    value: string;
    path?: { value?: string };
    maxAge?: { value?: number };
    httpOnly?: { value?: boolean };
    secure?: { value?: boolean };
    /** 'none' when unset, 'explicitNone' for SameSite=None. */
    sameSite?: string;
  }>;
  body?: { bytes?: Uint8Array; string?: string };
}

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: WorkerFunction['callback']): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: { http?: WorkerHttpResponse } }>;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel;
}

type Require = (this: unknown, id: string) => unknown;

export class FunctionsWorker {
  readonly functions = new Map<string, WorkerFunction>();
  readonly hooks: Array<{ name: string; callback: (context: Record<string, unknown>) => unknown }> = [];
  /** Lines the app's `@azure/functions` logged through the worker (system and user logs). */
  readonly logs: string[] = [];
  programmingModel: ProgrammingModel | undefined;
  private readonly originalRequire: Require;

  private constructor() {
    const prototype = Module.prototype as unknown as { require: Require };
    this.originalRequire = prototype.require;
    // What @azure/functions 4 calls on the worker's core API.
    const coreApi = {
      setProgrammingModel: (model: ProgrammingModel) => void (this.programmingModel = model),
      registerFunction: (metadata: WorkerFunction['metadata'], callback: WorkerFunction['callback']) => {
        this.functions.set(metadata.name, { metadata, callback });
        return { dispose: () => this.functions.delete(metadata.name) };
      },
      registerHook: (name: string, callback: (context: Record<string, unknown>) => unknown) => {
        const hook = { name, callback };
        this.hooks.push(hook);
        return { dispose: () => this.hooks.splice(this.hooks.indexOf(hook), 1) };
      },
      log: (level: string, category: string, message: string) => void this.logs.push(`${level} ${category} ${message}`),
    };
    const original = this.originalRequire;
    prototype.require = new Proxy(original, {
      apply: (target, thisArg, args: [string]) => (args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args)),
    });
  }

  /** Starts answering `require('@azure/functions-core')` in this process; undo with {@link uninstall}. */
  static install(): FunctionsWorker {
    return new FunctionsWorker();
  }

  /** Requires the package's `main`, as the worker does for a CommonJS app. */
  load(main: string): unknown {
    return createRequire(main)(main);
  }

  /** Runs the app's start hooks, as the worker does once `main` is loaded and before the first invocation. */
  async start(): Promise<void> {
    await this.runHooks('appStart', { hookData: {} });
  }

  /** Runs one HTTP function through the app's programming model, with the invocation hooks, as the worker does for the host. */
  async invoke(name: string, request: { url: string; method?: string; headers?: Record<string, string> }): Promise<WorkerHttpResponse> {
    const registered = this.functions.get(name);
    if (!registered || !this.programmingModel) throw new Error(`no function "${name}" was registered with the worker`);
    const [trigger] = Object.entries(registered.metadata.bindings).find(([, binding]) => binding.type === 'httpTrigger') ?? [];
    if (!trigger) throw new Error(`"${name}" has no HTTP trigger`);
    const invocation = this.programmingModel.getInvocationModel({
      invocationId: randomUUID(),
      metadata: registered.metadata,
      request: { inputData: [{ name: trigger, data: { http: { method: request.method ?? 'GET', url: request.url, headers: request.headers ?? {} } } }] },
      log: (level: string, category: string, ...args: unknown[]) => void this.logs.push(`${level} ${category} ${args.map(String).join(' ')}`),
    });
    const { context, inputs } = await invocation.getArguments();
    const pre = { hookData: {}, invocationContext: context, functionCallback: registered.callback, inputs };
    await this.runHooks('preInvocation', pre);
    const post: Record<string, unknown> = { hookData: pre.hookData, invocationContext: context, inputs: pre.inputs, result: undefined, error: undefined };
    try {
      post.result = await invocation.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (error) {
      post.error = error;
    }
    // The worker sends the response only after the post-invocation hooks.
    await this.runHooks('postInvocation', post);
    if (post.error) throw post.error;
    const response = (await invocation.getResponse(context, post.result)).returnValue?.http;
    if (!response) throw new Error(`"${name}" returned no HTTP response`);
    return response;
  }

  private async runHooks(name: string, context: Record<string, unknown>): Promise<void> {
    // A copy: a hook may dispose of itself while the hooks run.
    for (const hook of this.hooks.filter((candidate) => candidate.name === name)) await hook.callback(context);
  }

  uninstall(): void {
    (Module.prototype as unknown as { require: Require }).require = this.originalRequire;
  }
}
