/** Certificate issuance, PEM files, key and trust managers behind {@link io.inmesh.tls.MeshTls}; not API. */
@NullMarked
package io.inmesh.tls.internal;

import org.jspecify.annotations.NullMarked;
