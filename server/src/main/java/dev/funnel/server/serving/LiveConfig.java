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
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.width.WidthLevels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The DAGs and routes serving now. Requests read {@link #current()} (one volatile read); admin
 * changes (uploads, deletes) and reloads build and compile a complete new {@link RouteTable} off
 * the request path and publish it with one atomic set, so a request sees either the old table or
 * the new one, never a mix, and a change that does not validate or compile leaves the old table
 * serving. Writers are serialized.
 */
public final class LiveConfig {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    /** The readiness gate this opens once routes are compiled. */
    public static final String GATE = "dags";

    private final DagCompiler compiler;
    /** The table and where its parts came from, published together so a reader never pairs one with another's. */
    private final AtomicReference<Snapshot> published = new AtomicReference<>();
    /**
     * Each DAG name a file of the directory declares, as far as reload knows (loaded at start, then
     * kept by {@link #reloadFiles} and {@link #fileDeleted}), with the version that file last made
     * live: its owner is {@link DagSpec#file()}. An admin PUT replaces the live DAG but neither its
     * owner nor this version, which {@link #deleteDag} puts back. Writers only (under this lock).
     */
    private Map<String, DagSpec> fromDirectory;

    private LiveConfig(DagCompiler compiler, RouteTable initial) {
        this.compiler = compiler;
        this.published.set(new Snapshot(initial, Set.of(), false));
        this.fromDirectory = new HashMap<>(initial.config().dags());
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
        return published.get().table(); // an atomic reference read, on every request's loop: never blocks
    }

    /** What serves now with where each part came from, read together. Any thread; never blocks. */
    public Snapshot snapshot() {
        return published.get(); // an atomic reference read: never blocks
    }

    /**
     * A published table and which of its parts an admin upload ({@link #replaceDag}, {@link #replaceRouting})
     * put there; the rest was read from the configuration directory (at start or by a reload), so only
     * the uploaded parts are lost on a restart.
     *
     * @param table           what serves
     * @param uploadedDags    names of the DAGs whose live text was uploaded
     * @param routingUploaded whether the live routing was uploaded
     */
    public record Snapshot(RouteTable table, Set<String> uploadedDags, boolean routingUploaded) {

        /** Where a DAG or the routing came from, as the admin API names it. */
        public static final String DIRECTORY = "directory";
        /** See {@link #DIRECTORY}. */
        public static final String UPLOAD = "upload";

        public Snapshot {
            uploadedDags = Set.copyOf(uploadedDags);
        }

        /** {@value #UPLOAD} or {@value #DIRECTORY}: where the live DAG of this name came from. */
        public String dagOrigin(String name) {
            return uploadedDags.contains(name) ? UPLOAD : DIRECTORY;
        }

        /** {@value #UPLOAD} or {@value #DIRECTORY}: where the live routing came from. */
        public String routingOrigin() {
            return routingUploaded ? UPLOAD : DIRECTORY;
        }
    }

    /**
     * Every problem the DAG text would cause if uploaded (parse, validation with the operators'
     * checks against this server's services, and the routes that override its nodes); empty only
     * when {@link #replaceDag} would take it. Nothing changes.
     */
    public List<Problem> checkDag(String fileName, String yaml) {
        DagLoader.Parsed parsed = DagLoader.read(fileName, yaml);
        if (parsed.spec() == null) {
            return parsed.problems(); // the graph could not be read: nothing more to check
        }
        return check(parsed.problems(), current().config().withDag(parsed.spec()));
    }

    /**
     * Shape errors and semantic problems together, so one upload shows every problem; when there
     * are none, the candidate is compiled as a swap would compile it (and dropped), so "no problems"
     * means exactly "would go live".
     */
    private List<Problem> check(List<Problem> shapeProblems, ConfigSet candidate) {
        List<Problem> problems = new ArrayList<>(shapeProblems);
        problems.addAll(candidate.validate(compiler.registry(), compiler.env()));
        if (problems.isEmpty()) {
            try {
                // Without the width levels: compiling registers them and sets their targets, which
                // only a swap may do. The operators' creation is what this checks.
                OperatorEnv env = compiler.env().copy().remove(WidthLevels.class);
                RouteTable.compile(candidate, new DagCompiler(compiler.registry(), env));
            } catch (DagException e) {
                problems.addAll(e.problems());
            }
        }
        problems.sort(ConfigSet.PROBLEM_ORDER);
        return problems.stream().distinct().toList();
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
        DagLoader.Parsed parsed = DagLoader.read(fileName, yaml);
        if (parsed.spec() == null) {
            throw new DagException(parsed.problems()); // the graph could not be read: nothing more to check
        }
        DagSpec spec = parsed.spec();
        boolean misnamed = expectedName != null && !expectedName.equals(spec.name());
        if (misnamed || !parsed.problems().isEmpty()) {
            // Every problem in one answer, as POST /admin/dags/validate gives them: a wrong name or a
            // shape error alone used to hide the rest, one more upload round trip each.
            List<Problem> problems = new ArrayList<>(check(parsed.problems(), current().config().withDag(spec)));
            if (misnamed) {
                problems.add(new Problem(fileName, spec.lineOf("dag"), "dag: '" + spec.name()
                        + "' does not match the name in the URL, '" + expectedName + "'"));
                problems.sort(ConfigSet.PROBLEM_ORDER);
            }
            throw new DagException(problems);
        }
        Snapshot now = published.get(); // an atomic reference read (admin/reload threads, under this lock): never blocks
        RouteTable next = RouteTable.compile(now.table().config().withDag(spec), compiler);
        Set<String> uploaded = new HashSet<>(now.uploadedDags());
        uploaded.add(spec.name());
        published.set(new Snapshot(next, uploaded, now.routingUploaded()));
        CompiledDag compiled = next.dags().get(spec.name());
        LOG.info("hot-swapped dag {} (version {})", spec.name(), compiled.version());
        return compiled;
    }

    /**
     * Hot reload of files of the configuration directory: validates and compiles them together
     * with everything else live, then swaps them in with one publish, or none of them. A DAG file
     * owns the DAG it declares: when its {@code dag:} name changes, the DAG of the old name goes
     * (as it would after a restart), and a name another file of the directory already declares is
     * refused with the same problem {@code funnel validate} gives, leaving that file's DAG serving.
     * An explicit replace by name is {@link #replaceDag}.
     *
     * @param files each file's path (as in problems) and text; the routing file by its name
     * @throws DagException with every problem; the old configuration keeps serving
     */
    public synchronized RouteTable reloadFiles(Map<Path, String> files) throws DagException {
        Snapshot now = published.get(); // an atomic reference read (admin/reload threads, under this lock): never blocks
        ConfigSet base = now.table().config();
        Map<String, DagSpec> dags = new LinkedHashMap<>(base.dags());
        Map<String, DagSpec> nextFromDirectory = new HashMap<>(fromDirectory);
        RoutingSpec routing = base.routing();
        java.util.Set<String> reloaded = new java.util.HashSet<>();
        files.keySet().forEach(f -> reloaded.add(f.toString()));
        // What these files declared before goes first, so names may move between them in one change.
        nextFromDirectory.entrySet().removeIf(e -> {
            if (reloaded.contains(e.getValue().file())) {
                dags.remove(e.getKey());
                return true;
            }
            return false;
        });
        List<Problem> problems = new ArrayList<>();
        Set<String> uploaded = new HashSet<>(now.uploadedDags());
        boolean routingUploaded = now.routingUploaded();
        boolean routingShapeErrors = false;
        for (Map.Entry<Path, String> e : new TreeMap<>(files).entrySet()) {
            String file = e.getKey().toString();
            try {
                if (ConfigSet.isRoutingFile(e.getKey())) {
                    RoutingLoader.Parsed parsed = RoutingLoader.read(file, e.getValue());
                    problems.addAll(parsed.problems());
                    routing = parsed.spec(); // with problems, validated below for the rest of them, never served
                    routingShapeErrors = !parsed.problems().isEmpty();
                    routingUploaded = false;
                    continue;
                }
                DagSpec spec = DagLoader.parse(file, e.getValue());
                DagSpec owner = nextFromDirectory.putIfAbsent(spec.name(), spec);
                if (owner != null) {
                    problems.add(new Problem(file, spec.lineOf("dag"), "dag '" + spec.name() + "' is already defined in " + owner.file()));
                    continue;
                }
                dags.put(spec.name(), spec);
                uploaded.remove(spec.name()); // the file's text replaces an upload of the same name
            } catch (DagException ex) {
                problems.addAll(ex.problems());
            }
        }
        if (!problems.isEmpty()) {
            if (routingShapeErrors && routing != null) {
                // A routing file's shape errors come with its semantic problems (unknown DAGs, bad overrides).
                String routingFile = routing.file();
                new ConfigSet(dags, routing).validate(compiler.registry(), compiler.env()).stream()
                        .filter(p -> p.file().equals(routingFile)).forEach(problems::add);
            }
            problems.sort(ConfigSet.PROBLEM_ORDER);
            throw new DagException(problems.stream().distinct().toList());
        }
        RouteTable next = RouteTable.compile(new ConfigSet(dags, routing), compiler);
        uploaded.retainAll(dags.keySet()); // an uploaded DAG whose name a reloaded file gave up went with it
        published.set(new Snapshot(next, uploaded, routingUploaded));
        fromDirectory = nextFromDirectory;
        LOG.info("reloaded {}: {}", new TreeMap<>(files).keySet(), next);
        return next;
    }

    /**
     * A file of the directory was deleted: what it declared keeps serving (routes may name it), but
     * its names are free for another file to declare, and {@link #deleteDag} may remove them.
     */
    public synchronized void fileDeleted(Path file) {
        Map<String, DagSpec> o = new HashMap<>(fromDirectory);
        o.values().removeIf(spec -> spec.file().equals(file.toString()));
        fromDirectory = o;
    }

    /**
     * Undoes an admin upload ({@link #replaceDag}) of {@code name}. When a file of the directory
     * declares that name (as reload knows the directory: a deletion counts once reload has seen
     * it), the version that file last made live is compiled with every route and swapped in as a
     * reload would swap it, origin directory again; a pending or failed edit of the file is left
     * to reload, as it is for any live version. Without such a file the DAG is removed, but only
     * while no route of the live routing names it: a route never points at nothing. A DAG the
     * directory serves is refused (its file is what to edit or delete); one whose file was deleted,
     * which keeps serving as routes may name it, is removed as an upload without a file is.
     *
     * @return what was done, or why nothing was
     * @throws DagException when the directory's version does not compile with what is live now (an
     *         uploaded routing overriding a node only the upload has); nothing changes
     */
    public synchronized DagDeletion deleteDag(String name) throws DagException {
        Snapshot now = published.get(); // an atomic reference read (admin/reload threads, under this lock): never blocks
        ConfigSet config = now.table().config();
        if (!config.dags().containsKey(name)) {
            return new DagDeletion.Unknown(config.dags().keySet());
        }
        DagSpec fileVersion = fromDirectory.get(name);
        boolean uploaded = now.uploadedDags().contains(name);
        Set<String> stillUploaded = new HashSet<>(now.uploadedDags());
        stillUploaded.remove(name);
        if (fileVersion != null) {
            if (!uploaded) {
                return new DagDeletion.FromDirectory(fileVersion.file());
            }
            RouteTable next = RouteTable.compile(config.withDag(fileVersion), compiler);
            published.set(new Snapshot(next, stillUploaded, now.routingUploaded()));
            CompiledDag restored = next.dags().get(name);
            LOG.info("undid the upload of dag {}: {} serves again (version {})", name, fileVersion.file(), restored.version());
            return new DagDeletion.Restored(restored);
        }
        List<DagDeletion.RouteRef> users = routesOf(config.routing(), name);
        if (!users.isEmpty()) {
            return new DagDeletion.InUse(users);
        }
        Map<String, DagSpec> dags = new LinkedHashMap<>(config.dags());
        dags.remove(name);
        RouteTable next = RouteTable.compile(new ConfigSet(dags, config.routing()), compiler);
        published.set(new Snapshot(next, stillUploaded, now.routingUploaded()));
        LOG.info("removed dag {} ({}; no route names it)", name, uploaded ? "uploaded, no file in the directory" : "its file was deleted");
        return new DagDeletion.Removed(name);
    }

    /** Every route of {@code routing} that names {@code dag}, in file order. */
    private static List<DagDeletion.RouteRef> routesOf(RoutingSpec routing, String dag) {
        List<DagDeletion.RouteRef> out = new ArrayList<>();
        if (routing != null) {
            for (RoutingSpec.Scene scene : routing.scenes().values()) {
                for (RoutingSpec.Route r : scene.routes()) {
                    if (dag.equals(r.dag())) {
                        out.add(new DagDeletion.RouteRef(scene.name(), r.name(), r.trafficPercent()));
                    }
                }
            }
        }
        return out;
    }

    /** Every problem a routing text would cause; empty when it would go live. Nothing changes. */
    public List<Problem> checkRouting(String fileName, String yaml) {
        RoutingLoader.Parsed parsed = RoutingLoader.read(fileName, yaml);
        if (parsed.spec() == null) {
            return parsed.problems(); // not a routing file at all: nothing more to check
        }
        return check(parsed.problems(), current().config().withRouting(parsed.spec()));
    }

    /**
     * Replaces the routing, compiling every route, then swaps it in.
     *
     * @throws DagException with every problem; the old routes keep serving
     */
    public synchronized RouteTable replaceRouting(String fileName, String yaml) throws DagException {
        List<Problem> problems = checkRouting(fileName, yaml);
        if (!problems.isEmpty()) {
            throw new DagException(problems); // every problem of the text, not only its first kind
        }
        RoutingSpec spec = RoutingLoader.parse(fileName, yaml);
        Snapshot now = published.get(); // an atomic reference read (admin/reload threads, under this lock): never blocks
        RouteTable next = RouteTable.compile(now.table().config().withRouting(spec), compiler);
        published.set(new Snapshot(next, now.uploadedDags(), true));
        LOG.info("replaced routing: {}", next);
        return next;
    }
}
