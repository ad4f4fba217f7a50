/**
 * The embedded default world: a synthetic catalog, users with hidden tastes and a click model,
 * all deterministic from a seed. Demo mode, tests, training and load tests use it; nothing here
 * is read by the serving path except through the index and profile stores it feeds.
 */
package dev.funnel.sim;
