/**
 * Actuator endpoint, health contributor and Micrometer meters for Keepalive.
 */
@NullMarked
package dev.keepalive.actuate;

import org.jspecify.annotations.NullMarked;
