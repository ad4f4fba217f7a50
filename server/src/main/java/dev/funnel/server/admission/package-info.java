/**
 * Admission control: under overload the server answers the excess at once with {@code 503} and a
 * {@code Retry-After} hint instead of queueing it, and the requests it does admit keep their
 * latency. Two signals per event loop and one per process: a {@link dev.funnel.server.admission.QueueDelayShedder}
 * sheds every new request while the queueing delay (the loop's own scheduling delay, the worker
 * pool's hand-off delay, sampled by {@link dev.funnel.server.admission.LoopDelayProbe} and {@link
 * dev.funnel.server.admission.PoolDelayProbe}) has stood above its target for a whole interval,
 * CoDel-style; {@link dev.funnel.server.admission.AdmissionControl} bounds the requests in flight
 * (a hard cap that adapts, AIMD, to the latency admitted requests see) and applies them, with the
 * share of new requests a {@link dev.funnel.server.admission.CpuLoadShedder} sheds while the
 * process's CPU use stands above a configured target (the overload no queue shows). {@link
 * dev.funnel.server.admission.AdmissionConfig}, {@link dev.funnel.server.admission.QueueDelayConfig}
 * and {@link dev.funnel.server.admission.CpuLoadConfig} are their validated settings; {@link dev.funnel.server.admission.AdmissionHandler} mounts it all
 * in front of {@code POST /v1/recommend}.
 */
package dev.funnel.server.admission;
