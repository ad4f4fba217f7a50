/**
 * Online optimizers on plain arrays, one pass, no framework: {@link dev.funnel.trainer.optim.Ftrl}
 * (FTRL-Proximal, per coordinate, for the wide logistic part), {@link dev.funnel.trainer.optim.AdaGrad}
 * (for embedding rows) and {@link dev.funnel.trainer.optim.Adam} (for the dense MLP). Not thread-safe:
 * the trainer's single learning thread owns all state.
 */
package dev.funnel.trainer.optim;
