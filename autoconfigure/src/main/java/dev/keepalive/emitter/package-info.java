/**
 * Long-lived Spring MVC responses that end cleanly when the server drains.
 */
@NullMarked
package dev.keepalive.emitter;

import org.jspecify.annotations.NullMarked;
