package dev.funnel.engine.exec;

import dev.funnel.engine.dag.Policy;

/**
 * A node that did not contribute its own output, and what was done about it.
 *
 * @param node    the node id
 * @param cause   why ({@link NodeOutcome#TIMEOUT}, {@link NodeOutcome#ERROR}, …; never OK)
 * @param action  what its policy did: skip, fallback or fail
 * @param detail  a short message (the error's, or the fallback node)
 */
public record Degradation(String node, NodeOutcome cause, Policy action, String detail) {
}
