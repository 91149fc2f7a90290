/** The mesh-wide configuration model, its loading, validation and sources. */
@NullMarked
package io.inmesh.config;

import org.jspecify.annotations.NullMarked;
