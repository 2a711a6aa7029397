// Virtual modules the playground's build (build.ts) provides to the bundles.
declare module "playground:site" {
  const site: {
    reference: boolean;
    /** Repository-relative student file → its skeleton (the handout's stub, or the reference). */
    skeletons: Record<string, string>;
    parts: Array<{ id: string; title: string; studentFiles: string[]; tests: string[]; extraTests: string[] }>;
  };
  export default site;
}
declare module "playground:test-loaders" {
  const loaders: Record<string, () => Promise<unknown>>;
  export default loaders;
}
declare module "playground:framework-sources" {
  const sources: Record<string, string>;
  export default sources;
}
declare module "playground:type-files" {
  const files: Record<string, string>;
  export default files;
}
