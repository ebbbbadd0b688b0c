/**
 * App configuration: PM2's option names and aliases in, one complete normalized shape out. Pure: no
 * I/O except the injected `fileExists`/`which` probes, so it runs in the CLI, the extension and the
 * daemon (which re-validates everything a client sends).
 */
export { BACKOFF, ConfigError, DEFAULTS, type AppConfig, type EnvFile, type ExecMode, type NormalizeContext, type NormalizeResult } from './app-config';
export { ACCEPTED_WITHOUT_EFFECT, ALIASES, APP_FLAGS, APP_OPTIONS, KNOWN, type AppFlag, type AppOption, type AppOptionName } from './app-options';
export { normalizeApp, revalidateApp } from './normalize';
export { fileSafeName, inheritsVariable, isNodeInterpreter, nodeStripsTypes, validateName } from './values';
export { describeProbe, PROBE_DEFAULTS, PROBE_KINDS, type ProbeConfig, type ProbeKind, type ProbePort, type ProbeTiming } from './probes';
export { dependencyProblems, startWaves, stopWaves, withDependencies, type DependencyNode, type KnownDependencies } from './depends-on';
export { jsRuntimeOf, runtimeArgs, type JsRuntime } from './runtimes';
