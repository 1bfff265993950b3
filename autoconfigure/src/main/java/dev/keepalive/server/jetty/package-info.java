/**
 * Keepalive on embedded Jetty.
 */
@NullMarked
package dev.keepalive.server.jetty;

import org.jspecify.annotations.NullMarked;
