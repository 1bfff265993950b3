/**
 * Outbound keep-alive safety for the HTTP clients that Spring Boot builds.
 */
@NullMarked
package dev.keepalive.client;

import org.jspecify.annotations.NullMarked;
