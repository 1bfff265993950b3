/**
 * The phased drain of the web server: on context close and at runtime.
 */
@NullMarked
package dev.keepalive.drain;

import org.jspecify.annotations.NullMarked;
