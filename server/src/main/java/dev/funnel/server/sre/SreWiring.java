package dev.funnel.server.sre;

import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.exec.DagExecutor;
import dev.funnel.engine.exec.ExecutionListener;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.width.NodeLatencies;
import dev.funnel.engine.width.WidthController;
import dev.funnel.engine.width.WidthLevels;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.reload.DirectoryWatcher;
import dev.funnel.server.reload.LiveConfigReloader;
import dev.funnel.server.serving.LiveConfig;
import dev.funnel.server.serving.RecentRequests;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Wires the SRE pieces into a starting server, in two steps around DAG compilation:
 * <ol>
 *   <li>{@link #SreWiring} before anything compiles: registers {@link WidthLevels} in the operator
 *       environment (so nodes with {@code target_p95_ms} get width variants) and the gauge
 *       {@code funnel_node_width_factor{dag,node}}; {@link #listener} adds per-node windows (console)
 *       and the width controller to the executor's listener;</li>
 *   <li>{@link #start} once {@link LiveConfig} is loaded: hot reload of {@code dags.dir} (unless
 *       {@code reload.enabled=false}; poll {@code reload.poll_ms}), the width controller's tick
 *       ({@code width.tick_ms}, default {@value #DEFAULT_WIDTH_TICK_MILLIS}), and the endpoints.</li>
 * </ol>
 */
public final class SreWiring {

    /** How often the width controller decides. */
    public static final long DEFAULT_WIDTH_TICK_MILLIS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(SreWiring.class);

    private final OperatorEnv env;
    private final MeterRegistry meters;
    private final NodeLatencies stats = new NodeLatencies();
    private final WidthLevels levels;
    private final WidthController width;

    public SreWiring(OperatorEnv env, MeterRegistry meters) {
        this.env = env;
        this.meters = meters;
        this.levels = new WidthLevels(l -> Gauge.builder("funnel.node.width.factor", l, WidthLevels.Level::factor)
                .description("latency-driven width: 1 = full width, lower while the node's p95 is above target_p95_ms")
                .tags("dag", l.dag(), "node", l.node()).register(meters));
        this.width = new WidthController(levels);
        env.register(WidthLevels.class, levels);
    }

    /** The executor's listener: {@code base} (metrics), then the console's windows and the width controller. */
    public ExecutionListener listener(ExecutionListener base) {
        return stats.after(new ExecutionListener() {
            @Override
            public void onNode(String dag, String node, String op, dev.funnel.engine.exec.NodeOutcome outcome,
                               long tookNanos, int outputSize) {
                base.onNode(dag, node, op, outcome, tookNanos, outputSize);
                width.onNode(dag, node, op, outcome, tookNanos, outputSize);
            }

            @Override
            public void onNodeCpu(String dag, String node, String op, long cpuNanos) {
                base.onNodeCpu(dag, node, op, cpuNanos);
            }

            @Override
            public void onRequest(String dag, dev.funnel.engine.exec.DagResult result) {
                base.onRequest(dag, result);
            }
        });
    }

    /**
     * Starts hot reload and width control and builds the endpoints.
     *
     * @param recent  the served requests explain can replay by request id
     * @param onClose where to register what must stop with the server
     */
    public SreAdmin start(FunnelConfig config, LiveConfig live, DagCompiler compiler, DagExecutor executor,
                          String adminToken, RecentRequests recent, Consumer<AutoCloseable> onClose) {
        LiveConfigReloader reloader = null;
        if (Boolean.parseBoolean(config.get("reload.enabled", "true"))) {
            // reload.poll.ms is what FUNNEL_RELOAD_POLL_MS maps to; reload.poll_ms reads better in files.
            long pollMillis = positive(config.get("reload.poll_ms", config.get("reload.poll.ms",
                    Long.toString(DirectoryWatcher.DEFAULT_POLL_MILLIS))), "reload.poll_ms");
            reloader = new LiveConfigReloader(Path.of(config.dagsDir()), live, meters).start(pollMillis);
            onClose.accept(reloader);
            LOG.info("hot reload: watching {} every {} ms", config.dagsDir(), pollMillis);
        }
        long tickMillis = positive(config.get("width.tick_ms", config.get("width.tick.ms",
                Long.toString(DEFAULT_WIDTH_TICK_MILLIS))), "width.tick_ms");
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "funnel-width");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickLogged, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        onClose.accept(ticker::shutdownNow);
        SreAdmin admin = new SreAdmin(live, compiler, executor, env, stats, reloader, adminToken, recent);
        admin.widthFactors(levels::factor);
        return admin;
    }

    private void tickLogged() {
        try {
            if (width.tick() > 0 && LOG.isInfoEnabled()) {
                levels.all().stream().filter(l -> l.index() > 0).forEach(l -> LOG.info("width: {}", l));
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep controlling.
            LOG.error("width controller tick failed", e);
        }
    }

    private static long positive(String v, String key) {
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the bad value
        }
        throw new IllegalArgumentException(key + " must be a positive number of milliseconds, got '" + v + "'");
    }
}
