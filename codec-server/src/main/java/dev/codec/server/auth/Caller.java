package dev.codec.server.auth;

import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name the caller's name (token file name, or certificate identity)
 * @param permissions what it may do
 * @param method how it proved its identity: {@code token}, {@code certificate} or {@code none} (auth off)
 */
public record Caller(String name, Set<Permission> permissions, String method) {
    public Caller {
        permissions = Set.copyOf(permissions);
    }

    public boolean may(Permission permission) {
        return permissions.contains(permission);
    }
}
