package dev.funnel.operators.profile;

import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.Params;
import dev.funnel.features.profile.ProfileStore;
import dev.funnel.features.profile.UserProfile;
import reactor.core.publisher.Mono;

/**
 * {@code profile.user}: the request user's {@link UserProfile} from the wired {@link ProfileStore}
 * (a cold-start profile for an unknown user). A lock-free map read; runs on the event loop.
 */
public final class UserProfileOperator implements OperatorFactory {

    @Override
    public String name() {
        return "profile.user";
    }

    @Override
    public String description() {
        return "The user's profile: demographics, interest tags, recent clicks and real-time embedding";
    }

    @Override
    public ParamSchema params() {
        return ParamSchema.NONE;
    }

    @Override
    public Class<?> outputType() {
        return UserProfile.class;
    }

    @Override
    public Operator<?> create(Params params, OperatorEnv env) {
        ProfileStore store = env.require(ProfileStore.class);
        return (Operator<UserProfile>) (in, ctx) -> Mono.just(store.get(ctx.userId()));
    }
}
