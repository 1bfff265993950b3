/**
 * Small helpers shared by Keepalive's packages.
 */
@NullMarked
package dev.keepalive.support;

import org.jspecify.annotations.NullMarked;
