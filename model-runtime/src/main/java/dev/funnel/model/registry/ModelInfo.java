package dev.funnel.model.registry;

import java.util.List;

/**
 * A model as the admin API lists it.
 *
 * @param name        the model's name
 * @param liveVersion the version serving now, or null
 * @param previous    versions available to {@link ModelRegistry#rollback}, most recent first
 * @param liveSinceMillis when the live version went live, epoch ms (0 when none is live)
 */
public record ModelInfo(String name, String liveVersion, List<String> previous, long liveSinceMillis) {
}
