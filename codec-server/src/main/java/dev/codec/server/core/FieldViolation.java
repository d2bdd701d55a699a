package dev.codec.server.core;

/**
 * One field at fault, sent as a {@code google.rpc.BadRequest.FieldViolation}: the field path (a
 * variable is {@code variables[NAME]}, its name sanitised as in messages) and what is wrong. Never
 * a value.
 */
public record FieldViolation(String field, String description) {}
