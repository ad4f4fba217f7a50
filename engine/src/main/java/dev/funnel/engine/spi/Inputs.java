package dev.funnel.engine.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * What a node receives: its own id and the outputs of its upstream ({@code after:}) nodes, in
 * declaration order. An upstream node that was skipped (timed out, failed with {@code skip}, or had
 * no output) is present with a null value. Created by the executor per node per request; read on
 * the thread that runs the operator.
 */
public final class Inputs {

    private final String nodeId;
    private final String[] ids;
    private final Object[] values;

    /**
     * @param nodeId the running node's id (recall operators use it as the provenance source name)
     * @param ids    upstream node ids, in the order the YAML lists them
     * @param values their outputs, null where skipped; not copied
     */
    public Inputs(String nodeId, String[] ids, Object[] values) {
        if (ids.length != values.length) {
            throw new IllegalArgumentException("ids and values differ in length: " + ids.length + " vs " + values.length);
        }
        this.nodeId = nodeId;
        this.ids = ids;
        this.values = values;
    }

    /** Inputs of a node with no upstream nodes. */
    public static Inputs none(String nodeId) {
        return new Inputs(nodeId, new String[0], new Object[0]);
    }

    /** The running node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** How many upstream nodes the node declares. */
    public int size() {
        return ids.length;
    }

    /** The id of the i-th upstream node. */
    public String idAt(int i) {
        return ids[i];
    }

    /** The output of the i-th upstream node, or null when it was skipped. */
    public Object valueAt(int i) {
        return values[i];
    }

    /** The output of the named upstream node if it is of that type, else null. */
    public <T> T get(String upstreamId, Class<T> type) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].equals(upstreamId)) {
                return type.isInstance(values[i]) ? type.cast(values[i]) : null;
            }
        }
        return null;
    }

    /** The first present upstream output of that type, or null. */
    public <T> T first(Class<T> type) {
        for (Object v : values) {
            if (type.isInstance(v)) {
                return type.cast(v);
            }
        }
        return null;
    }

    /** Every present upstream output of that type, in declaration order. */
    public <T> List<T> all(Class<T> type) {
        List<T> out = new ArrayList<>(values.length);
        for (Object v : values) {
            if (type.isInstance(v)) {
                out.add(type.cast(v));
            }
        }
        return out;
    }

    /** Count of upstream nodes whose output is present. */
    public int presentCount() {
        int n = 0;
        for (Object v : values) {
            if (v != null) {
                n++;
            }
        }
        return n;
    }
}
