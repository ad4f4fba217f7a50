package dev.funnel.features.profile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

class InProcessProfileStoreTest extends ProfileStoreContract {

    @Override
    ProfileStore newStore(ItemEmbeddings items, ProfileConfig config) {
        return new InProcessProfileStore(items, config);
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ProfileConfig(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ProfileConfig(5, 1.0));
    }
}
