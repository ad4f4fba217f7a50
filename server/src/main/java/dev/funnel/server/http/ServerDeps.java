package dev.funnel.server.http;

import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.metrics.HttpMetrics;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.Readiness;
import dev.funnel.server.serving.ResponseHooks;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.net.KeyCertOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything the HTTP layer serves from, built once by the application and shared by every
 * verticle instance.
 *
 * @param config      server config (limits, ports)
 * @param live        the compiled DAGs and routes
 * @param executor    the DAG executor
 * @param hooks       response side effects
 * @param metrics     HTTP meters
 * @param prometheus  the registry {@code /metrics} scrapes
 * @param readiness   readiness gates
 * @param adminToken  the bearer token the admin API requires
 * @param tls         key and certificate for the TLS port
 * @param inFlight    requests accepted and not yet answered, for draining at shutdown
 * @param env         the services the wirings registered (feedback sink, exposure store…)
 * @param sre         schema, reload status, explain and console endpoints (sre team), or null
 * @param poolDelay   the worker pool's queueing-delay probe, for admission control
 * @param warmUpToken the {@code x-funnel-warmup} value that marks the server's own warm-up
 *                    requests, or null when it does not warm up
 * @param cpuLoad     the process's CPU-load shedder for admission control (off unless configured)
 * @param recent      the last served requests, kept for replay by request id ({@code RecentRequests.OFF} when off)
 */
public record ServerDeps(FunnelConfig config, LiveConfig live, DagExecutor executor, ResponseHooks hooks,
                         HttpMetrics metrics, PrometheusMeterRegistry prometheus, Readiness readiness,
                         String adminToken, KeyCertOptions tls, AtomicInteger inFlight,
                         dev.funnel.engine.spi.OperatorEnv env,
                         dev.funnel.server.sre.SreAdmin sre,
                         dev.funnel.server.admission.PoolDelayProbe poolDelay, String warmUpToken,
                         dev.funnel.server.admission.CpuLoadShedder cpuLoad,
                         dev.funnel.server.serving.RecentRequests recent) {
}
