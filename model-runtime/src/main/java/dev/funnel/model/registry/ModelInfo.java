package dev.funnel.model.registry;

import java.util.List;

/**
 * A model as the admin API lists it.
 *
 * @param name        the model's name
 * @param liveVersion the version serving now, or null
 * @param previous    versions available to {@link ModelRegistry#rollback}, most recent first
 * @param liveSinceMillis when the live version went live, epoch ms (0 when none is live)
 * @param pinned      whether a rollback pinned the live version (loads are kept, not made live,
 *                    until {@link ModelRegistry#unpin})
 * @param heldWhilePinned versions loaded while pinned, newest first: the first goes live on unpin
 */
public record ModelInfo(String name, String liveVersion, List<String> previous, long liveSinceMillis, boolean pinned,
                        List<String> heldWhilePinned) {

    /** The version {@link ModelRegistry#unpin} would make live, or null when none arrived while pinned. */
    public String unpinVersion() {
        return heldWhilePinned.isEmpty() ? null : heldWhilePinned.get(0);
    }
}
