/** JMH benchmarks of the SRE pieces on the request path: per-node latency windows and width lookup. */
package dev.funnel.bench.sre;
