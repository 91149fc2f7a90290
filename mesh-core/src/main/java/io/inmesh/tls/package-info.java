/** Workload identity (SPIFFE) and the mesh's TLS. */
@NullMarked
package io.inmesh.tls;

import org.jspecify.annotations.NullMarked;
