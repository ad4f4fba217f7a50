package dev.funnel.streams.kafka;

import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.AlterConfigPolicy;

import java.util.Map;

/**
 * The test broker's {@code alter.config.policy.class.name}: refuses every config change of a topic whose name
 * starts with {@value #PREFIX} (such a topic can only be created with the broker's defaults), as a cluster
 * whose ACLs or policy keep topics out of an application's hands does.
 */
public final class LockedTopicsPolicy implements AlterConfigPolicy {

    static final String PREFIX = "funnel-locked.";

    @Override
    public void validate(RequestMetadata request) throws PolicyViolationException {
        if (request.resource().name().startsWith(PREFIX) && !request.configs().isEmpty()) {
            throw new PolicyViolationException("topic " + request.resource().name() + " is managed by the platform team");
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
