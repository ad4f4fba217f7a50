package dev.funnel.engine.schema;

import dev.funnel.engine.dag.OperatorRegistry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes {@code dag.schema.json} and {@code routing.schema.json} for the operators on the class
 * path; the build step of {@code dag-configs} runs {@link #main} so the committed schema always
 * matches the operators. A file is rewritten only when its content changed (stable mtimes).
 */
public final class SchemaWriter {

    private SchemaWriter() {
    }

    /**
     * Usage: {@code SchemaWriter <out-dir>}. Discovers operators with {@link OperatorRegistry#discover()}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SchemaWriter <out-dir>, got " + List.of(args));
        }
        OperatorRegistry registry = OperatorRegistry.discover(SchemaWriter.class.getClassLoader());
        List<Path> written = write(Path.of(args[0]), registry);
        System.out.println("schema: " + registry.all().size() + " operators; wrote " + written);
    }

    /** Writes both schemas into {@code dir}; returns the files whose content changed. */
    public static List<Path> write(Path dir, OperatorRegistry registry) throws IOException {
        Files.createDirectories(dir);
        List<Path> changed = new java.util.ArrayList<>();
        writeIfChanged(dir.resolve(DagSchemas.DAG_SCHEMA_FILE), DagSchemas.toJson(DagSchemas.dag(registry)), changed);
        writeIfChanged(dir.resolve(DagSchemas.ROUTING_SCHEMA_FILE), DagSchemas.toJson(DagSchemas.routing(registry)), changed);
        return changed;
    }

    private static void writeIfChanged(Path file, String content, List<Path> changed) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(file, bytes);
        changed.add(file);
    }
}
