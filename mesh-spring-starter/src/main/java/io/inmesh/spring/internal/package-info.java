/** Implementation of the starter's wiring; not an API. */
@NullMarked
package io.inmesh.spring.internal;

import org.jspecify.annotations.NullMarked;
