/** Implementation helpers shared across InMesh's packages; not API. */
@NullMarked
package io.inmesh.internal;

import org.jspecify.annotations.NullMarked;
