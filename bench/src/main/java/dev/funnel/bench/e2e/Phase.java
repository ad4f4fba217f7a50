package dev.funnel.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * One stretch of constant arrival rate.
 *
 * @param rate    arrivals per second
 * @param seconds how long
 * @param label   shown in the results
 */
record Phase(double rate, int seconds, String label) {
    Phase {
        if (!(rate > 0) || rate > 200_000) {
            throw new IllegalArgumentException("phase rate must be in (0, 200000], got " + rate);
        }
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("phase seconds must be in 1..600, got " + seconds);
        }
    }

    /** Parses {@code RATExSECONDS[:label],...}, e.g. {@code 300x20:base,600x20:overload}. */
    static List<Phase> parseList(String spec) {
        List<Phase> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            String label = p;
            int colon = p.indexOf(':');
            if (colon >= 0) {
                label = p.substring(colon + 1);
                p = p.substring(0, colon);
            }
            int x = p.indexOf('x');
            if (x <= 0) {
                throw new IllegalArgumentException("phase must be RATExSECONDS[:label], got '" + part + "'");
            }
            out.add(new Phase(Double.parseDouble(p.substring(0, x)), Integer.parseInt(p.substring(x + 1)), label));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no phase in '" + spec + "'");
        }
        return out;
    }
}
