package dev.funnel.server.serving;

import dev.funnel.engine.dag.CompiledDag;

import java.util.List;
import java.util.Set;

/**
 * What {@link LiveConfig#deleteDag} did, or why it did nothing: the admin API's
 * {@code DELETE /admin/dags/{name}} answers each kind with its own status.
 */
public sealed interface DagDeletion {

    /**
     * The upload was undone: the version the DAG's file in the configuration directory last made
     * live serves again (origin {@code directory}).
     *
     * @param dag the directory's version, as compiled now
     */
    record Restored(CompiledDag dag) implements DagDeletion {
    }

    /**
     * The DAG is gone: it had no file in the configuration directory and no route named it.
     *
     * @param name the DAG's name
     */
    record Removed(String name) implements DagDeletion {
    }

    /**
     * Nothing changed: no DAG of that name is live.
     *
     * @param serving the names that are
     */
    record Unknown(Set<String> serving) implements DagDeletion {
    }

    /**
     * Nothing changed: the DAG is the directory's own, read from {@code file}, which a reload or a
     * restart would read again; the file is what to edit or delete.
     *
     * @param file the file that declares it
     */
    record FromDirectory(String file) implements DagDeletion {
    }

    /**
     * Nothing changed: removing the DAG would leave these routes of the live routing pointing at
     * nothing.
     *
     * @param routes every route that names it, in routing order (0% routes included)
     */
    record InUse(List<RouteRef> routes) implements DagDeletion {
        public InUse {
            routes = List.copyOf(routes);
        }
    }

    /**
     * One route of the routing, as the admin API names it.
     *
     * @param scene          the scene
     * @param route          the route's name in it
     * @param trafficPercent its share of the scene's users
     */
    record RouteRef(String scene, String route, double trafficPercent) {
        @Override
        public String toString() {
            return scene + "/" + route + " (" + trafficPercent + "%)";
        }
    }
}
