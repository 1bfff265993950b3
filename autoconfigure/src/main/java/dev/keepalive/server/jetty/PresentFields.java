package dev.keepalive.server.jetty;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Which of the fields that decide a connection's keep-alive a request or response has,
 * found in one pass by index: Jetty's fields answer {@code getField(int)} directly, where
 * {@code contains} allocates an iterator (two under a wrapper), and one pass costs less
 * than a search per name on every response.
 */
final class PresentFields {

	static final int UPGRADE = 1;

	static final int CONNECTION = 1 << 1;

	static final int KEEP_ALIVE = 1 << 2;

	static final int CONTENT_LENGTH = 1 << 3;

	static final int TRANSFER_ENCODING = 1 << 4;

	static final int EXPECT = 1 << 5;

	private PresentFields() {
	}

	/**
	 * The fields present, as a combination of this class's constants.
	 * @param fields the fields, the response's under its wrappers
	 * @return the bits of the fields present
	 */
	static int in(HttpFields fields) {
		HttpFields readable = fields;
		while (readable instanceof HttpFields.Mutable.Wrapper wrapper) {
			readable = wrapper.getWrapped();
		}
		int present = 0;
		for (int i = 0; i < readable.size(); i++) {
			HttpField field = readable.getField(i);
			if (field != null && field.getHeader() != null) {
				present |= bit(field.getHeader());
			}
		}
		return present;
	}

	private static int bit(HttpHeader header) {
		// the results are this class's constants, the labels the header names
		return switch (header) {
			case UPGRADE -> UPGRADE;
			case CONNECTION -> CONNECTION;
			case KEEP_ALIVE -> KEEP_ALIVE;
			case CONTENT_LENGTH -> CONTENT_LENGTH;
			case TRANSFER_ENCODING -> TRANSFER_ENCODING;
			case EXPECT -> EXPECT;
			default -> 0;
		};
	}

}
