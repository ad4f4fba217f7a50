/**
 * The serving side of the learning loop: {@link dev.funnel.trainer.apply.DeltaApplier} checks and
 * applies {@code ModelDelta}s (sparse rows into embedding tables, dense snapshots to a model sink such
 * as the registry), {@link dev.funnel.trainer.apply.DeltaConsumer} runs it on its own thread from a
 * transport. The server wires both; this package knows nothing of HTTP.
 */
package dev.funnel.trainer.apply;
