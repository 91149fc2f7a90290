/** Service discovery: where a service's endpoints come from (static config, DNS, registries). */
@NullMarked
package io.inmesh.discovery;

import org.jspecify.annotations.NullMarked;
