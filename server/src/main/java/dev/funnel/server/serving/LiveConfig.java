package dev.funnel.server.serving;

import dev.funnel.engine.dag.CompiledDag;
import dev.funnel.engine.dag.DagCompiler;
import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.engine.route.RouteTable;
import dev.funnel.engine.route.RoutingLoader;
import dev.funnel.engine.route.RoutingSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The DAGs and routes serving now. Requests read {@link #current()} (one volatile read); admin
 * changes build and compile a complete new {@link RouteTable} off the request path and publish it
 * with one atomic set, so a request sees either the old table or the new one, never a mix, and a
 * change that does not validate or compile leaves the old table serving. Writers are serialized.
 */
public final class LiveConfig {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    /** The readiness gate this opens once routes are compiled. */
    public static final String GATE = "dags";

    private final DagCompiler compiler;
    private final AtomicReference<RouteTable> table = new AtomicReference<>();

    private LiveConfig(DagCompiler compiler, RouteTable initial) {
        this.compiler = compiler;
        this.table.set(initial);
    }

    /**
     * Loads, validates and compiles a configuration directory, then opens the {@value #GATE} gate.
     *
     * @throws DagException with every problem in every file
     */
    public static LiveConfig load(Path dir, DagCompiler compiler, Readiness readiness) throws DagException {
        readiness.register(GATE);
        RouteTable t = RouteTable.compile(ConfigSet.load(dir, compiler.registry()), compiler);
        LOG.info("serving {} dag(s) from {}: {}", t.dags().size(), dir, t);
        readiness.open(GATE);
        return new LiveConfig(compiler, t);
    }

    /** What serves now. Any thread. */
    public RouteTable current() {
        return table.get();
    }

    /**
     * Every problem the DAG text would cause if uploaded (parse, validation, and the routes that
     * override its nodes); empty when it would go live. Nothing changes.
     */
    public List<Problem> checkDag(String fileName, String yaml) {
        try {
            DagSpec spec = DagLoader.parse(fileName, yaml);
            return current().config().withDag(spec).validate(compiler.registry());
        } catch (DagException e) {
            return e.problems();
        }
    }

    /**
     * Parses, validates and compiles a DAG (new, or replacing the one of the same {@code dag:}
     * name) together with every route, then swaps it in.
     *
     * @param expectedName when not null, the {@code dag:} name the text must declare
     * @return the new compiled DAG
     * @throws DagException with every problem; the old configuration keeps serving
     */
    public synchronized CompiledDag replaceDag(String fileName, String yaml, String expectedName) throws DagException {
        DagSpec spec = DagLoader.parse(fileName, yaml);
        if (expectedName != null && !expectedName.equals(spec.name())) {
            throw new DagException(List.of(new Problem(fileName, spec.lineOf("dag"), "dag: '" + spec.name()
                    + "' does not match the name in the URL, '" + expectedName + "'")));
        }
        RouteTable next = RouteTable.compile(current().config().withDag(spec), compiler);
        table.set(next);
        CompiledDag compiled = next.dags().get(spec.name());
        LOG.info("hot-swapped dag {} (version {})", spec.name(), compiled.version());
        return compiled;
    }

    /** Every problem a routing text would cause; empty when it would go live. Nothing changes. */
    public List<Problem> checkRouting(String fileName, String yaml) {
        try {
            RoutingSpec spec = RoutingLoader.parse(fileName, yaml);
            return current().config().withRouting(spec).validate(compiler.registry());
        } catch (DagException e) {
            return e.problems();
        }
    }

    /**
     * Replaces the routing, compiling every route, then swaps it in.
     *
     * @throws DagException with every problem; the old routes keep serving
     */
    public synchronized RouteTable replaceRouting(String fileName, String yaml) throws DagException {
        RoutingSpec spec = RoutingLoader.parse(fileName, yaml);
        RouteTable next = RouteTable.compile(current().config().withRouting(spec), compiler);
        table.set(next);
        LOG.info("replaced routing: {}", next);
        return next;
    }
}
