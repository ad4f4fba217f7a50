package dev.funnel.dagconfigs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes {@code ops/k8s/configmap-dag-configs.yaml} from the shipped {@code *.yaml} (DAGs and
 * routing). The dag-configs build runs it before its tests, next to the JSON Schema, so the
 * Kubernetes ConfigMap never drifts from the files; {@link KubernetesConfigMapTest} checks it.
 */
public final class ConfigMapWriter {

    private ConfigMapWriter() {
    }

    /** Usage: {@code ConfigMapWriter <dag-configs dir> <out file>}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ConfigMapWriter <dag-configs dir> <out file>, got " + List.of(args));
        }
        Path out = Path.of(args[1]);
        String text = render(Path.of(args[0]));
        if (!Files.exists(out) || !Files.readString(out).equals(text)) {
            Files.createDirectories(out.getParent());
            Files.writeString(out, text, StandardCharsets.UTF_8);
            System.out.println("configmap: wrote " + out);
        }
    }

    static String render(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder()
                .append("# Generated from dag-configs/*.yaml by the dag-configs build (ConfigMapWriter); do not edit by hand.\n")
                .append("# Mounted at FUNNEL_DAGS_DIR; the server hot-reloads a changed file (bad edits keep the last good one).\n")
                .append("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: funnel-dag-configs\ndata:\n");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            sb.append("  ").append(f.getFileName()).append(": |\n");
            for (String line : Files.readString(f).stripTrailing().split("\n", -1)) {
                sb.append(line.isEmpty() ? "" : "    " + line).append('\n');
            }
        }
        return sb.toString();
    }
}
