package dev.funnel.server;

import dev.funnel.engine.dag.DagException;
import dev.funnel.engine.dag.OperatorRegistry;
import dev.funnel.engine.dag.Problem;
import dev.funnel.engine.route.ConfigSet;
import dev.funnel.server.docs.OperatorDocs;
import dev.funnel.server.serving.WarmUp;
import dev.funnel.server.wiring.CatalogWiring;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code funnel} command:
 * <pre>
 * funnel demo  [--config FILE]            sim world + shipped dag-configs, ports 8080 / 8443
 * funnel serve  --config FILE             production: config file + FUNNEL_* environment
 * funnel validate PATH...                 every problem in DAG / routing files, exit 1 if any
 * funnel docs  [--out docs/operators.md]  write the operator reference
 * </pre>
 */
public final class FunnelMain {

    private FunnelMain() {
    }

    /** Where {@code demo} keeps the sim catalog snapshot unless {@code catalog.snapshot} is set. */
    static final String DEMO_SNAPSHOT_DIR = "data/";

    /** What {@link #run} returns when a server started and the process must keep running. */
    static final int RUNNING = -1;

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != RUNNING) {
            System.exit(code);
        }
        // Vert.x threads keep the process alive; SIGTERM runs the shutdown hook.
    }

    /** Runs a command; returns the exit code, or {@link #RUNNING} once a server started. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            out.println(usage());
            return args.length == 0 ? 2 : 0;
        }
        String cmd = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        if (COMMAND_USAGE.containsKey(cmd) && (rest.contains("--help") || rest.contains("-h"))) {
            // Before anything runs: "demo --help" once started a server on 8080 instead of explaining itself.
            out.println("usage: funnel " + COMMAND_USAGE.get(cmd));
            return 0;
        }
        try {
            return switch (cmd) {
                case "demo" -> serve(rest, true, err);
                case "serve" -> serve(rest, false, err);
                case "validate" -> validate(rest, out, err);
                case "docs" -> docs(rest, out);
                case "explain" -> dev.funnel.server.sre.ExplainCommand.run(rest, System.getenv(), out, err); // sre
                case "schema" -> schema(rest, out); // sre
                default -> {
                    err.println("unknown command '" + cmd + "'\n" + usage());
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("funnel " + cmd + ": " + e.getMessage());
            return 2;
        }
    }

    private static int serve(List<String> args, boolean demo, PrintStream err) {
        onlyOptions(args, demo ? "demo" : "serve", "--config");
        String configFile = option(args, "--config");
        if (!demo && configFile == null && System.getenv().keySet().stream().noneMatch(k -> k.startsWith("FUNNEL_"))) {
            throw new IllegalArgumentException("serve needs --config FILE (or FUNNEL_* environment variables)");
        }
        FunnelConfig config = ConfigLoader.load(configFile == null ? null : Path.of(configFile), System.getenv());
        if (demo && !config.has(CatalogWiring.SNAPSHOT_KEY)) {
            config = config.with(CatalogWiring.SNAPSHOT_KEY, DEMO_SNAPSHOT_DIR); // later demos restore, not rebuild
        }
        if (!config.has(WarmUp.MILLIS_KEY)) {
            // The command warms up before readiness; an embedding application (tests) opts in.
            config = config.with(WarmUp.MILLIS_KEY, String.valueOf(WarmUp.DEFAULT_MILLIS));
        }
        FunnelApp app;
        try {
            app = FunnelApp.start(config, demo);
        } catch (DagException e) {
            err.println("funnel: the configuration in " + config.dagsDir() + " has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            return 1;
        } catch (RuntimeException e) {
            err.println("funnel: cannot start: " + e.getMessage());
            if (isConfigProblem(e)) {
                return 2; // the message names the key and the value; a stack trace would only bury it
            }
            e.printStackTrace(err);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "funnel-shutdown"));
        if (demo) {
            System.out.print(demoBanner(app.httpPort(), app.httpsPort(), config.getInt(WarmUp.MILLIS_KEY, 0) / 1000, app.adminToken()));
        }
        return RUNNING;
    }

    /** A start failure caused by a bad setting: an {@link IllegalArgumentException} anywhere in its causes. */
    static boolean isConfigProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    /** What {@code demo} prints once it serves: a request to try on each port that is on (-1 = off). */
    static String demoBanner(int httpPort, int httpsPort, int warmUpSeconds, String adminToken) {
        StringBuilder b = new StringBuilder(String.format("%nFunnel demo is up.%n"));
        if (httpPort >= 0) {
            b.append(String.format("  curl --http2-prior-knowledge http://localhost:%d/v1/recommend "
                    + "-d '{\"user_id\":\"u000042\",\"scene\":\"home\",\"count\":5}'%n", httpPort));
        }
        String ready = String.format("(ready after a %d s warm-up, warmup.ms)", warmUpSeconds);
        if (httpsPort >= 0) {
            b.append(String.format("  curl -k --http2 https://localhost:%d/health/ready   %s%n", httpsPort, ready));
        } else if (httpPort >= 0) {
            b.append(String.format("  curl --http2-prior-knowledge http://localhost:%d/health/ready   %s%n", httpPort, ready));
        }
        return b.append(String.format("  admin token: %s%n%n", adminToken)).toString();
    }

    /** What {@code validate} cannot check without a running server's models and catalog. */
    static final String SERVER_ONLY_CHECKS = "note: checked without models or catalog; model names, fusion formulas' head names, "
            + "indexed fields and click-count windows are checked by the server (POST /admin/dags/validate, upload, reload)";

    private static int validate(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("validate needs at least one DAG file, routing file or directory");
        }
        for (String a : args) {
            if (a.startsWith("--")) {
                // Not a path anyone means: reported as "no such file" it hid the typo.
                throw new IllegalArgumentException("unknown option '" + a + "'\nusage: funnel " + COMMAND_USAGE.get("validate"));
            }
        }
        List<Path> paths = new ArrayList<>();
        args.forEach(a -> paths.add(Path.of(a)));
        List<Problem> problems = ConfigSet.check(paths, OperatorRegistry.discover());
        if (problems.isEmpty()) {
            out.println("OK: " + String.join(", ", args) + " valid");
            out.println(SERVER_ONLY_CHECKS);
            return 0;
        }
        problems.forEach(err::println);
        err.println(problems.size() + " problem(s)");
        err.println(SERVER_ONLY_CHECKS);
        return 1;
    }

    private static int docs(List<String> args, PrintStream out) {
        onlyOptions(args, "docs", "--out");
        String target = option(args, "--out");
        Path path = Path.of(target == null ? OperatorDocs.PATH : target);
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.writeString(path, OperatorDocs.markdown(OperatorRegistry.discover()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + path + ": " + e, e);
        }
        out.println("wrote " + path);
        return 0;
    }

    /** sre: writes the JSON Schema for DAG and routing YAML (what the dag-configs build step does). */
    private static int schema(List<String> args, PrintStream out) {
        onlyOptions(args, "schema", "--out");
        String target = option(args, "--out");
        Path dir = Path.of(target == null ? "dag-configs/schema" : target);
        try {
            out.println("wrote " + dev.funnel.engine.schema.SchemaWriter.write(dir, OperatorRegistry.discover()) + " in " + dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + dir + ": " + e, e);
        }
        return 0;
    }

    /**
     * Rejects any argument but {@code name VALUE} / {@code name=VALUE}: a misspelt option
     * ({@code demo --confg prod.yaml}) would otherwise be ignored and the command run without it.
     */
    private static void onlyOptions(List<String> args, String cmd, String name) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) {
                i++; // its value; option() reports a missing one
            } else if (!a.startsWith(name + "=")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\nusage: funnel " + COMMAND_USAGE.get(cmd));
            }
        }
    }

    private static String option(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name)) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(name + "=")) {
                return args.get(i).substring(name.length() + 1);
            }
        }
        return null;
    }

    /** Each command's own usage line(s), what {@code funnel <command> --help} prints. */
    private static final java.util.Map<String, String> COMMAND_USAGE = usages();

    private static java.util.Map<String, String> usages() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("demo", "demo  [--config FILE]            serve the sim world with dag-configs/ (ports 8080 h2c, 8443 h2)");
        m.put("serve", "serve  --config FILE             serve with a config file (.yaml or .properties) + FUNNEL_* env");
        m.put("validate", "validate PATH...                 check DAG files, routing.yaml or directories; exit 1 on problems");
        m.put("docs", "docs  [--out docs/operators.md]  write the operator reference from the operators' schemas");
        m.put("schema", "schema [--out dag-configs/schema] write the JSON Schema for DAG and routing YAML (editors, CI)");
        m.put("explain", """
                explain --user ID [--scene S] [--context key=value]... [--count N]
                        | --request-id ID        (a served request, by its response's request_id)
                          [--dag NAME | --file F] [--set node.param=v]...
                          [--compare-dag NAME | --compare-file F] [--compare-set node.param=v]... [--json]
                          [--max-dropped N] [--deadline-ms N]
                          [--url http://localhost:8080] [--token T | $FUNNEL_ADMIN_TOKEN]
                          [--insecure | -k]        (https:// with the server's self-signed certificate)
                                                   replay one request on a running server; print the per-node trace""");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String usage() {
        StringBuilder b = new StringBuilder("usage: funnel <command>   (funnel <command> --help: that command's usage)");
        COMMAND_USAGE.values().forEach(u -> b.append("\n  ").append(u));
        return b.toString();
    }
}
