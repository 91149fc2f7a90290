/** Route matching (Istio VirtualService semantics), compiled once per config snapshot. */
@NullMarked
package io.inmesh.routing;

import org.jspecify.annotations.NullMarked;
