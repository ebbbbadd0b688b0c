/** Replaced at build time by esbuild from package.json. */
declare const __CORRAL_VERSION__: string;
export const VERSION: string = typeof __CORRAL_VERSION__ === 'string' ? __CORRAL_VERSION__ : '0.0.0-dev';
