// esbuild bundles imported CSS into assets/main.css; the import itself has no value.
declare module '*.css';
