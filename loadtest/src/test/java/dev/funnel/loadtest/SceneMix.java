package dev.funnel.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * Weighted scenes: {@code home_feed:0.7,related:0.2,search_blend:0.1}. Weights need not sum to one.
 * Immutable and thread-safe; {@link #pick} takes the caller's uniform draw.
 */
final class SceneMix {
    private final String[] names;
    private final double[] cumulative;

    private SceneMix(String[] names, double[] cumulative) {
        this.names = names;
        this.cumulative = cumulative;
    }

    /** Parses {@code name[:weight],...}; a missing weight is 1. */
    static SceneMix parse(String spec) {
        List<String> names = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.indexOf(':');
            String name = colon < 0 ? p : p.substring(0, colon).trim();
            double w;
            try {
                w = colon < 0 ? 1.0 : Double.parseDouble(p.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("scenes: weight of '" + name + "' is not a number in '" + spec + "'", e);
            }
            if (name.isEmpty() || !(w > 0)) {
                throw new IllegalArgumentException("scenes: each entry needs a name and a weight > 0, got '" + p + "' in '" + spec + "'");
            }
            names.add(name);
            weights.add(w);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("scenes: no scene in '" + spec + "'");
        }
        double[] cum = new double[names.size()];
        double sum = 0;
        for (int i = 0; i < cum.length; i++) {
            sum += weights.get(i);
            cum[i] = sum;
        }
        for (int i = 0; i < cum.length; i++) {
            cum[i] /= sum;
        }
        return new SceneMix(names.toArray(new String[0]), cum);
    }

    /** The scene for a uniform draw {@code x} in [0,1). */
    String pick(double x) {
        for (int i = 0; i < cumulative.length - 1; i++) {
            if (x < cumulative[i]) {
                return names[i];
            }
        }
        return names[names.length - 1];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        double prev = 0;
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(names[i]).append(':').append(String.format(java.util.Locale.ROOT, "%.2f", cumulative[i] - prev));
            prev = cumulative[i];
        }
        return sb.toString();
    }
}
