/**
 * The mesh's traffic-shaping stages on the outbound side, written once for every adapter: header operations and
 * rewrites (just after ROUTING), fault injection (FAULT) and mirroring (MIRROR). {@link io.inmesh.traffic.TrafficFeature}
 * is a built-in feature; its stages read the route chosen by ROUTING and the state the feature keeps (the mirror
 * executor and its counters).
 */
@NullMarked
package io.inmesh.traffic;

import org.jspecify.annotations.NullMarked;
