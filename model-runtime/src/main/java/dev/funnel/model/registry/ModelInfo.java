package dev.funnel.model.registry;

import java.util.List;

/**
 * A model as the admin API lists it.
 *
 * @param name        the model's name
 * @param liveVersion the version serving now, or null
 * @param previous    versions available to {@link ModelRegistry#rollback}, most recent first
 */
public record ModelInfo(String name, String liveVersion, List<String> previous) {
}
