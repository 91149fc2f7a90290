/** The adapters' implementation: views of the clients' requests, the transports, endpoint names. Not API. */
@NullMarked
package io.inmesh.http.internal;

import org.jspecify.annotations.NullMarked;
