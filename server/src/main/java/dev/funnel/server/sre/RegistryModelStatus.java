package dev.funnel.server.sre;

import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.model.registry.ModelInfo;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.trainer.apply.DeltaApplier;

import java.util.ArrayList;
import java.util.List;

/**
 * The console's model list from what the server wired: every model in the {@link ModelRegistry}
 * with its live version and when it went live, and, for the model the learning loop updates, the
 * newest applied delta (version and freshness). Looked up per call, so wirings may come later.
 */
final class RegistryModelStatus implements ModelStatusSource {

    private final OperatorEnv env;

    RegistryModelStatus(OperatorEnv env) {
        this.env = env;
    }

    @Override
    public List<ModelStatus> models() {
        List<ModelStatus> out = new ArrayList<>();
        ModelRegistry registry = env.find(ModelRegistry.class).orElse(null);
        DeltaApplier deltas = env.find(DeltaApplier.class).orElse(null);
        long now = System.currentTimeMillis();
        if (registry != null) {
            for (ModelInfo m : registry.models()) {
                String version = m.liveVersion() == null ? "(none)" : m.liveVersion();
                if (m.pinned()) {
                    version += " (pinned)";
                } else if (m.awaitedPin() != null) {
                    version += " (pin to " + m.awaitedPin() + " not restored)";
                }
                long updated = m.liveSinceMillis();
                if (deltas != null && deltas.modelName().equals(m.name()) && deltas.freshnessMillis() >= 0) {
                    version += " + delta " + deltas.appliedVersion();
                    updated = Math.max(updated, now - deltas.freshnessMillis());
                }
                out.add(new ModelStatus(m.name(), version, updated));
            }
        }
        return out;
    }
}
