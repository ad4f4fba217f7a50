/**
 * Exposure benchmarks: filtering 5,000 candidates against a user with 10,000 exposures, in process
 * and against a real redis-server ({@link dev.funnel.bench.exposure.ExposureFilterBench}); memory per
 * user ({@link dev.funnel.bench.exposure.ExposureMemoryReport}).
 */
package dev.funnel.bench.exposure;
