package dev.funnel.server.exposure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Funnel server in a child JVM ({@link ExposureTestServer#main}), for tests that need real separate processes. */
final class ServerProcess implements AutoCloseable {

    final int port;
    private final Process process;
    private final StringBuffer log;

    private ServerProcess(int port, Process process, StringBuffer log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(String... exposureKeys) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ExposureTestServer.class.getName());
        cmd.addAll(List.of(exposureKeys));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        StringBuffer log = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    if (line.startsWith("PORT ")) {
                        port.complete(Integer.parseInt(line.substring(5).trim()));
                    }
                }
            } catch (IOException e) {
                log.append("[log reader: ").append(e).append("]\n");
            }
            port.completeExceptionally(new IllegalStateException("server process ended before listening:\n" + log));
        }, "server-process-log");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServerProcess(port.get(120, TimeUnit.SECONDS), p, log);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("server process did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    String log() {
        return log.toString();
    }

    /** Closes the child's stdin (it shuts down gracefully), then waits for it. */
    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
