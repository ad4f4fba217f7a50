/**
 * The executor: runs a {@link dev.funnel.engine.dag.CompiledDag} for one request on its event
 * loop, with one shrinking deadline budget, per-node policies, and per-node bookkeeping.
 */
package dev.funnel.engine.exec;
