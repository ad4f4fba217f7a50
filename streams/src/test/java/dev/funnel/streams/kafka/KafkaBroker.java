package dev.funnel.streams.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft broker in its own JVM, started from the test classpath on free ports with
 * a temporary log directory; {@link #close()} kills it and deletes the directory. Public for the server's
 * tests (the streams test jar).
 */
public final class KafkaBroker implements AutoCloseable {

    private static KafkaBroker shared;

    private final Path dir;
    /** Replaced by {@link #restart()}; the test thread that stops and restarts it is the only writer. */
    private volatile Process process;
    private final String bootstrap;

    private KafkaBroker(Path dir, Process process, String bootstrap) {
        this.dir = dir;
        this.process = process;
        this.bootstrap = bootstrap;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /**
     * The broker every test class of this JVM shares (starting one takes seconds): started on first use,
     * stopped when the JVM exits. Its users keep apart by topic prefix.
     */
    public static synchronized KafkaBroker shared() throws Exception {
        if (shared == null) {
            KafkaBroker b = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    b.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "kafka-test-broker-stop"));
            shared = b;
        }
        return shared;
    }

    /**
     * A broker of the caller's own, for a test that stops it ({@link #stop()}, {@link #restart()}): never the
     * shared one, whose other users would see it go. Close it when done.
     */
    public static KafkaBroker startOwn() throws Exception {
        return start();
    }

    /** Kills the broker process, keeping its log directory and ports: the cluster is gone until {@link #restart()}. */
    public void stop() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the broker again on the same ports and log directory, after {@link #stop()}; returns once it answers. */
    public void restart() throws Exception {
        process = launch(dir);
        awaitReady();
    }

    private static Process launch(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "kafka.Kafka",
                dir.resolve("server.properties").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    }

    private static KafkaBroker start() throws Exception {
        Path dir = Files.createTempDirectory("funnel-kafka");
        int port = freePort();
        int controllerPort = freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "message.max.bytes=67108864",
                "alter.config.policy.class.name=" + LockedTopicsPolicy.class.getName(),
                "log.cleaner.backoff.ms=200", // compaction within a test's patience (stock: 15 s between looks)
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Process format = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, "kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        Process broker = launch(dir);
        String bootstrap = "localhost:" + port;
        KafkaBroker b = new KafkaBroker(dir, broker, bootstrap);
        try {
            b.awaitReady();
        } catch (Exception e) {
            String log = Files.exists(dir.resolve("broker.log")) ? Files.readString(dir.resolve("broker.log")) : "";
            b.close();
            throw new IllegalStateException("kafka broker did not start: " + e + "\n" + tail(log), e);
        }
        return b;
    }

    private void awaitReady() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker process exited with " + process.exitValue());
                }
                try {
                    if (!admin.describeCluster().nodes().get(4, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                Thread.sleep(200);
            }
        }
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
