import Module from 'node:module';

/** What the Functions host is handed for one function: its metadata and its handler. */
export interface HostRegistration {
  metadata: {
    name: string;
    bindings: Record<string, Record<string, unknown>>;
    retryOptions?: Record<string, unknown>;
    [key: string]: unknown;
  };
  callback: unknown;
}

/**
 * Stands in for `@azure/functions-core`, the module the Functions host's Node worker provides.
 * With it present, `@azure/functions` leaves test mode and converts every `app.*` call into the
 * metadata the host would receive, so a test sees exactly what the host would register.
 */
export function installFunctionsCore(): { registrations: HostRegistration[]; programmingModels: unknown[]; uninstall(): void } {
  const registrations: HostRegistration[] = [];
  const programmingModels: unknown[] = [];
  const fakeCore = {
    registerFunction: (metadata: HostRegistration['metadata'], callback: unknown) => {
      registrations.push({ metadata, callback });
      return { dispose() {} };
    },
    setProgrammingModel: (model: unknown) => programmingModels.push(model),
    getProgrammingModel: () => programmingModels[programmingModels.length - 1],
    registerHook: () => ({ dispose() {} }),
    Disposable: class {
      dispose() {}
    },
  };
  type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
  const moduleWithLoad = Module as unknown as { _load: Loader };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request, parent, isMain) {
    if (request === '@azure/functions-core') return fakeCore;
    return originalLoad.call(this, request, parent, isMain);
  };
  return {
    registrations,
    programmingModels,
    uninstall: () => {
      moduleWithLoad._load = originalLoad;
    },
  };
}
