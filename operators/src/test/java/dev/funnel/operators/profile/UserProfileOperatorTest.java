package dev.funnel.operators.profile;

import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.Params;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.index.ItemIndex;
import dev.funnel.operators.recall.SimFixtures;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class UserProfileOperatorTest {

    @Test
    @SuppressWarnings("unchecked")
    void emitsTheStoredProfileAndFollowsClicks() {
        SimWorld world = SimWorld.generate(SimConfig.small(7));
        ItemIndex index = SimFixtures.index(world);
        ProfileStore store = SimFixtures.profiles(world, index);
        Operator<UserProfile> op = (Operator<UserProfile>) new UserProfileOperator().create(Params.of(Map.of()), SimFixtures.env(index, store));

        SimUser u = world.users().get(3);
        UserProfile p = op.apply(Inputs.none("profile"), SimFixtures.request(u.id())).block();
        assertEquals(u.interestTags(), p.interestTags());
        assertEquals(u.ageBucket(), p.demographics().get("age_bucket"));
        assertArrayEquals(u.recentClicks(), p.recentClicks());
        assertNotNull(p.embedding(), "derived from the sim history");

        store.onClick(u.id(), 17, 1234);
        UserProfile after = op.apply(Inputs.none("profile"), SimFixtures.request(u.id())).block();
        assertEquals(17, after.recentClicks()[0]);
        assertNotEquals(p.embedding()[0], after.embedding()[0]);

        UserProfile cold = op.apply(Inputs.none("profile"), SimFixtures.request("stranger")).block();
        assertEquals(0, cold.recentClicks().length);
        assertNull(cold.embedding());
    }
}
