/**
 * InMesh: an embeddable, in-process service mesh. Start with {@link io.inmesh.Mesh#builder()}.
 */
@NullMarked
package io.inmesh;

import org.jspecify.annotations.NullMarked;
