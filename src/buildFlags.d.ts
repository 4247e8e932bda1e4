/**
 * Set by esbuild (`define`, see esbuild.mjs): true in the development build, the tests and the
 * test .vsix; false in the shipped bundles, whose test hooks are then dropped as dead code.
 */
declare const TEST_HOOKS: boolean;
