/**
 * Keepalive on embedded Reactor Netty.
 */
@NullMarked
package dev.keepalive.server.netty;

import org.jspecify.annotations.NullMarked;
