package dev.funnel.sim;

import java.util.List;

/**
 * One catalog item.
 *
 * @param id              external item id (1-based, dense)
 * @param category        e.g. {@code c07}
 * @param tags            2–4 tags, mostly from the category's own tag group
 * @param author          e.g. {@code a0123}
 * @param createdAtMillis creation time, within the catalog window before the world's now
 * @param popularity      prior popularity in (0, 1], Zipf-like
 * @param embedding       unit-length content embedding (category centroid plus noise); do not modify
 * @param online          status: offline items must never be served
 */
public record SimItem(long id, String category, List<String> tags, String author, long createdAtMillis,
                      double popularity, float[] embedding, boolean online) {

    /** {@code online} or {@code offline}, as the index stores it. */
    public String status() {
        return online ? "online" : "offline";
    }
}
