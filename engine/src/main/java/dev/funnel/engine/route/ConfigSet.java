package dev.funnel.engine.route;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.DagLoader;
import dev.funnel.engine.dag.DagSpec;
import dev.funnel.engine.dag.DagValidator;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.spi.OperatorEnv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A configuration directory as loaded: every DAG by its {@code dag:} name and the routing file
 * ({@value #ROUTING_FILE}). Immutable; {@link #withDag} and {@link #withRouting} make the candidate
 * sets a hot swap validates before it goes live.
 *
 * @param dags    DAG specs by name, sorted by name
 * @param routing the routing spec, or null when the directory has none
 */
public record ConfigSet(Map<String, DagSpec> dags, RoutingSpec routing) {

    /** The routing file's name inside a configuration directory. */
    public static final String ROUTING_FILE = "routing.yaml";

    /** Problems by file, then line. */
    public static final Comparator<Problem> PROBLEM_ORDER =
            Comparator.comparing(Problem::file).thenComparingInt(Problem::line);

    public ConfigSet {
        dags = Collections.unmodifiableMap(new java.util.TreeMap<>(dags));
    }

    /**
     * Loads and validates a directory (every {@code *.yaml}/{@code *.yml}: the routing file and
     * DAG files) or a single DAG file; a file's shape errors and its semantic problems are
     * reported together.
     *
     * @throws DagException with every problem in every file
     */
    public static ConfigSet load(Path dirOrFile, OperatorRegistry registry) throws DagException {
        List<Problem> problems = new ArrayList<>();
        ConfigSet set = read(dirOrFile, problems);
        // Semantic checks also run on what parsed around shape errors, so the first report is complete.
        problems.addAll(set.validate(registry));
        if (!problems.isEmpty()) {
            problems.sort(PROBLEM_ORDER);
            throw new DagException(problems.stream().distinct().toList());
        }
        return set;
    }

    /**
     * Every problem in these paths (directories or files), as the {@code validate} command prints
     * them; empty when all is valid. A routing file is checked against the DAGs of its directory.
     */
    public static List<Problem> check(List<Path> paths, OperatorRegistry registry) {
        List<Problem> problems = new ArrayList<>();
        for (Path p : paths) {
            Path target = p;
            if (Files.isRegularFile(p) && isRoutingFile(p)) {
                target = p.toAbsolutePath().getParent();
            }
            List<Problem> found = new ArrayList<>();
            ConfigSet set = read(target, found);
            if (Files.isDirectory(p) && !Files.exists(p.resolve(ROUTING_FILE)) && !Files.exists(p.resolve("routing.yml"))) {
                // The server refuses to start on such a directory (RouteTable: no scene can be served); validate said OK.
                found.add(new Problem(p.toString(), 0, "no " + ROUTING_FILE + ": no scene routes to any DAG, and the server "
                        + "will not start with this directory as dags.dir"));
            }
            // Semantic checks also run on the files that parsed, so one bad file hides nothing.
            found.addAll(set.validate(registry));
            if (target != p) {
                String name = p.toString();
                String abs = p.toAbsolutePath().toString();
                found.removeIf(pr -> !pr.file().equals(name) && !pr.file().equals(abs));
                // Read through its absolute directory, the file is named as the user gave it, as every other file is.
                found.replaceAll(pr -> pr.file().equals(abs) ? new Problem(name, pr.line(), pr.message()) : pr);
            }
            problems.addAll(found);
        }
        problems.sort(PROBLEM_ORDER);
        return problems.stream().distinct().toList();
    }

    /**
     * Every semantic problem that can be found without services: each DAG against the operators,
     * the routing against the DAGs (what {@code funnel validate} checks).
     */
    public List<Problem> validate(OperatorRegistry registry) {
        return validate(registry, new OperatorEnv());
    }

    /**
     * Every semantic problem, the operators' checks against the services in {@code env} included
     * (a model name against the registry, a filter field against the index): what the server checks.
     */
    public List<Problem> validate(OperatorRegistry registry, OperatorEnv env) {
        List<Problem> problems = new ArrayList<>();
        for (DagSpec d : dags.values()) {
            problems.addAll(DagValidator.validate(d, registry, env));
        }
        if (routing != null) {
            problems.addAll(RoutingValidator.validate(routing, dags, registry, env));
        }
        problems.sort(PROBLEM_ORDER);
        return problems;
    }

    /** This set with the DAG of {@code spec.name()} added or replaced. */
    public ConfigSet withDag(DagSpec spec) {
        Map<String, DagSpec> m = new LinkedHashMap<>(dags);
        m.put(spec.name(), spec);
        return new ConfigSet(m, routing);
    }

    /** This set with another routing. */
    public ConfigSet withRouting(RoutingSpec newRouting) {
        return new ConfigSet(dags, newRouting);
    }

    /** Whether a file of a configuration directory is its routing file (by name). */
    public static boolean isRoutingFile(Path p) {
        String n = p.getFileName().toString();
        return n.equals(ROUTING_FILE) || n.equals("routing.yml");
    }

    private static ConfigSet read(Path dirOrFile, List<Problem> problems) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dirOrFile)) {
            try (Stream<Path> s = Files.list(dirOrFile)) {
                s.filter(f -> {
                    String n = f.getFileName().toString();
                    return Files.isRegularFile(f) && (n.endsWith(".yaml") || n.endsWith(".yml"));
                }).sorted().forEach(files::add);
            } catch (IOException e) {
                problems.add(new Problem(dirOrFile.toString(), 0, "cannot list directory: " + e));
            }
            if (files.isEmpty() && problems.isEmpty()) {
                problems.add(new Problem(dirOrFile.toString(), 0, "no .yaml files"));
            }
        } else if (Files.isRegularFile(dirOrFile)) {
            files.add(dirOrFile);
        } else {
            problems.add(new Problem(dirOrFile.toString(), 0, "no such file or directory"));
        }
        Map<String, DagSpec> dags = new LinkedHashMap<>();
        RoutingSpec routing = null;
        for (Path f : files) {
            if (isRoutingFile(f)) {
                // As for DAG files: what parsed around shape errors is validated too, never served.
                RoutingLoader.Parsed parsed = RoutingLoader.read(f);
                problems.addAll(parsed.problems());
                routing = parsed.spec();
                continue;
            }
            // With shape errors, the spec is still validated (for every other problem),
            // never served: the problems added here make load() throw.
            DagLoader.Parsed parsed = DagLoader.read(f);
            problems.addAll(parsed.problems());
            DagSpec d = parsed.spec();
            if (d == null) {
                continue;
            }
            DagSpec prev = dags.putIfAbsent(d.name(), d);
            if (prev != null) {
                problems.add(new Problem(f.toString(), d.lineOf("dag"), "dag '" + d.name()
                        + "' is already defined in " + prev.file()));
            }
        }
        return new ConfigSet(dags, routing);
    }
}
