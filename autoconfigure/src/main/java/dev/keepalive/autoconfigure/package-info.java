/**
 * Keepalive's configuration properties, their validation, and the server-side model's
 * auto-configuration.
 */
@NullMarked
package dev.keepalive.autoconfigure;

import org.jspecify.annotations.NullMarked;
