/**
 * Scene routing: which compiled DAG serves a request. A routing file maps each scene to weighted
 * routes (an A/B split over experiment buckets, each route a DAG plus per-node parameter
 * overrides); {@link dev.funnel.engine.route.RoutingLoader} reads it with line numbers,
 * {@link dev.funnel.engine.route.RoutingValidator} checks it against the DAGs and the operators'
 * schemas, {@link dev.funnel.engine.route.RouteTable} compiles every route and picks one per
 * request by {@link dev.funnel.engine.route.Buckets bucket}. {@link dev.funnel.engine.route.ConfigSet}
 * loads and validates a whole configuration directory (DAG files and the routing file), as the
 * {@code validate} command and the dag-configs test do.
 */
package dev.funnel.engine.route;
