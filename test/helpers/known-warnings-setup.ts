/**
 * Setup file of every test worker (vitest.config.mts): the known library
 * warnings (dev/known-warnings.ts) are dropped from the console, whichever
 * test imports the modules that print them. Every other line still prints;
 * a spy installed by a test sees what reaches console.warn after this filter.
 */
import { dropping, KNOWN_WARNINGS } from '../../dev/known-warnings';

const KNOWN = Object.values(KNOWN_WARNINGS).flat();
console.warn = dropping(console.warn, () => KNOWN);
