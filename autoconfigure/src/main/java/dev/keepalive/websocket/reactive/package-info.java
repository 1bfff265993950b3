/**
 * WebFlux WebSocket sessions told to reconnect elsewhere when the server drains.
 */
@NullMarked
package dev.keepalive.websocket.reactive;

import org.jspecify.annotations.NullMarked;
