/**
 * Keepalive on embedded Tomcat.
 */
@NullMarked
package dev.keepalive.server.tomcat;

import org.jspecify.annotations.NullMarked;
