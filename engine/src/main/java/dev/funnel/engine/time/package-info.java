/**
 * {@link dev.funnel.engine.spi.LoopScheduler} implementations that are not a server's event loop:
 * {@link dev.funnel.engine.time.VirtualLoopScheduler}, a manual virtual-time loop for tests, and
 * {@link dev.funnel.engine.time.SingleThreadLoopScheduler}, a real loop on one thread for CLI
 * tools and benchmarks.
 */
package dev.funnel.engine.time;
