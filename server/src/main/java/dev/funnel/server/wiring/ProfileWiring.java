package dev.funnel.server.wiring;

import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ItemIndex;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;

import java.util.Map;

/**
 * User profiles for {@code profile.user}: an in-process {@link ProfileStore} whose real-time
 * embedding reads item embeddings from the index; with the sim world, filled with its users.
 */
public final class ProfileWiring implements FeatureWiring {

    @Override
    public int order() {
        return 20;
    }

    @Override
    public void wire(WiringContext ctx) {
        ItemIndex index = ctx.env().require(ItemIndex.class);
        ProfileStore store = new InProcessProfileStore(index::embedding, ProfileConfig.DEFAULT);
        ctx.env().find(SimWorld.class).ifPresent(world -> {
            for (SimUser u : world.users()) {
                store.put(new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(),
                        "country", u.country()), u.interestTags(), u.recentClicks(), null, 0));
            }
        });
        ctx.env().register(ProfileStore.class, store);
    }
}
