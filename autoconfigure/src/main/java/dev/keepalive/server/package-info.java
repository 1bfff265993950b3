/**
 * The server-side model every embedded server implementation applies: settings,
 * keep-alive rules, connection tracking, and the facade the drain drives.
 */
@NullMarked
package dev.keepalive.server;

import org.jspecify.annotations.NullMarked;
