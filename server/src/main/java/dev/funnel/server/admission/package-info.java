/**
 * Admission control: a bounded number of requests in flight per event loop, so that under
 * overload the server answers the excess at once with {@code 503} and a {@code Retry-After} hint
 * instead of queueing it, and the requests it does admit keep their latency. The bound adapts
 * (AIMD) to the latency the admitted requests actually see. {@link
 * dev.funnel.server.admission.AdmissionControl} is the limiter; {@link
 * dev.funnel.server.admission.AdmissionConfig} its validated settings.
 */
package dev.funnel.server.admission;
