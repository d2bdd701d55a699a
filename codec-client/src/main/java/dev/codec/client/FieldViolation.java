package dev.codec.client;

/**
 * One field the service found at fault (a {@code google.rpc.BadRequest} field violation): the field
 * path, e.g. {@code project_id} or {@code variables[API_KEY]} (a variable's name, never its value),
 * and what is wrong.
 */
public record FieldViolation(String field, String description) {}
