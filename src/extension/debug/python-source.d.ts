// esbuild bundles .py files as text (loader in esbuild.mjs): the debuggee helper's source.
declare module '*.py' {
  const source: string;
  export default source;
}
