package dev.funnel.engine.explain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Renders explanations as fixed-width text for terminals ({@code funnel explain}). */
public final class ExplainText {

    private ExplainText() {
    }

    /** The per-node trace, each stage's dropped items, and the final items with their provenance. */
    public static String render(Explanation e) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "explain %s (%s) user=%s took=%.2fms%s%n", e.dag(), e.version(),
                e.userId(), e.tookNanos() / 1e6, e.failed() ? " FAILED: " + e.failure() : ""));
        if (!e.degraded().isEmpty()) {
            sb.append("degraded: ").append(String.join("; ", e.degraded())).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%-14s %-20s %-14s %8s %8s %6s %6s %6s %7s%n",
                "node", "op", "outcome", "start_ms", "took_ms", "in", "out", "added", "dropped"));
        for (Explanation.Stage s : e.stages()) {
            sb.append(String.format(Locale.ROOT, "%-14s %-20s %-14s %8s %8.3f %6s %6s %6d %7d%n",
                    s.node(), s.op(), s.outcome(), s.startNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.3f", s.startNanos() / 1e6),
                    s.tookNanos() / 1e6, count(s.inCount()), count(s.outCount()), s.addedCount(), s.droppedCount()));
        }
        for (Explanation.Stage s : e.stages()) {
            if (s.droppedCount() == 0) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%ndropped at %s (%s): %d item(s)%s%n", s.node(), s.op(),
                    s.droppedCount(), s.dropped().size() < s.droppedCount() ? ", first " + s.dropped().size() : ""));
            for (Explanation.Dropped d : s.dropped()) {
                sb.append(String.format(Locale.ROOT, "  item %-10d %s (was #%d in %s, score %.4f)%n",
                        d.itemId(), d.reason(), d.rank(), d.from(), d.score()));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nfinal: %d item(s)%n", e.items().size()));
        for (int i = 0; i < e.items().size(); i++) {
            Explanation.FinalItem f = e.items().get(i);
            sb.append(String.format(Locale.ROOT, "  #%-3d item %-10d score %.4f  sources %s  path %s%n", i + 1,
                    f.itemId(), f.score(), f.sources(), String.join(" → ", f.path())));
        }
        return sb.toString();
    }

    /** Two runs side by side: per-node timings and counts, then how the final lists differ. */
    public static String renderSideBySide(Comparison c) {
        Explanation a = c.a();
        Explanation b = c.b();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "A: %s (%s) took=%.2fms%s%n", a.dag(), a.version(), a.tookNanos() / 1e6,
                a.degraded().isEmpty() ? "" : " degraded " + a.degraded()));
        sb.append(String.format(Locale.ROOT, "B: %s (%s) took=%.2fms%s%n", b.dag(), b.version(), b.tookNanos() / 1e6,
                b.degraded().isEmpty() ? "" : " degraded " + b.degraded()));
        sb.append(String.format(Locale.ROOT, "%-14s | %-18s %8s %6s %6s | %-18s %8s %6s %6s%n",
                "node", "A op", "took_ms", "in", "out", "B op", "took_ms", "in", "out"));
        Set<String> nodes = new LinkedHashSet<>();
        a.stages().forEach(s -> nodes.add(s.node()));
        b.stages().forEach(s -> nodes.add(s.node()));
        for (String n : nodes) {
            sb.append(String.format(Locale.ROOT, "%-14s | %s | %s%n", n, cell(a.stage(n)), cell(b.stage(n))));
        }
        sb.append(String.format(Locale.ROOT, "%nfinal: %d common, %d only in A %s, %d only in B %s%n",
                c.common(), c.onlyA().size(), c.onlyA(), c.onlyB().size(), c.onlyB()));
        List<String> moved = new ArrayList<>();
        c.rankShifts().forEach((id, shift) -> {
            if (shift != 0) {
                moved.add(id + (shift > 0 ? " ↓" : " ↑") + Math.abs(shift));
            }
        });
        if (!moved.isEmpty()) {
            sb.append("moved (A→B): ").append(String.join(", ", moved)).append('\n');
        }
        return sb.toString();
    }

    private static String cell(Explanation.Stage s) {
        if (s == null) {
            return String.format(Locale.ROOT, "%-18s %8s %6s %6s", "—", "", "", "");
        }
        return String.format(Locale.ROOT, "%-18s %8.3f %6s %6s", s.op(), s.tookNanos() / 1e6, count(s.inCount()),
                count(s.outCount()));
    }

    private static String count(int n) {
        return n < 0 ? "-" : Integer.toString(n);
    }
}
