/** JMH benchmarks of the engine's own cost: the DAG executor's per-node overhead. */
package dev.funnel.bench.engine;
