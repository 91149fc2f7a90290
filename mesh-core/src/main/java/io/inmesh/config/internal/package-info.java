/** Implementation of config parsing, binding and validation; not API. */
@NullMarked
package io.inmesh.config.internal;

import org.jspecify.annotations.NullMarked;
