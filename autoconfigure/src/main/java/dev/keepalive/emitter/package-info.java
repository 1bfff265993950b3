/**
 * Long-lived Spring MVC responses and WebFlux streams that end cleanly when the server
 * drains.
 */
@NullMarked
package dev.keepalive.emitter;

import org.jspecify.annotations.NullMarked;
