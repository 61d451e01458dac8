// Globals the blank test page defines (see pages/blank.html); declared here so
// page.evaluate callbacks typecheck.
declare global {
  interface Window {
    importModule<T = unknown>(path: string): Promise<T>;
  }
}

export {};
