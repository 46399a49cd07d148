/** Deterministic uniform values in [-1, 1) (mulberry32), so failures reproduce. */
export { seededUniform as randomData } from '../../src/random.js';
