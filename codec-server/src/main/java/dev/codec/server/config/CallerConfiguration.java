package dev.codec.server.config;

import dev.codec.server.auth.Permission;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One caller's permissions: {@code codec.auth.callers.<name>.permissions} (e.g. {@code [encrypt]}) and,
 * for mTLS, the certificate identities (SAN DNS/URI or CN) that name this caller
 * ({@code codec.auth.callers.<name>.certificate-names}). A caller without certificate names is reachable by
 * token only: its name is never taken as a certificate identity (with a shared issuer, any workload holding a
 * certificate for that name would become the caller).
 */
@EachProperty("codec.auth.callers")
public class CallerConfiguration {
    private final String name;
    private List<String> permissions = new ArrayList<>();
    private List<String> certificateNames = new ArrayList<>();

    public CallerConfiguration(@Parameter String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    /** Permission names: encrypt, decrypt, export-dek, rotate. */
    public List<String> getPermissions() {
        return permissions;
    }

    public void setPermissions(List<String> permissions) {
        this.permissions = permissions;
    }

    /** Certificate identities that authenticate as this caller over mTLS; none (the default): token only. */
    public List<String> getCertificateNames() {
        return List.copyOf(certificateNames);
    }

    public void setCertificateNames(List<String> certificateNames) {
        this.certificateNames = certificateNames;
    }

    /** The parsed permissions; an unknown name fails startup with a message naming it and this caller. */
    public Set<Permission> parsedPermissions() {
        Set<Permission> parsed = EnumSet.noneOf(Permission.class);
        for (String permission : permissions) {
            try {
                parsed.add(Permission.fromConfigName(permission));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("codec.auth.callers." + name + ".permissions: " + e.getMessage());
            }
        }
        return parsed;
    }

    @Override
    public String toString() {
        return "CallerConfiguration[" + name + ", permissions=" + permissions + "]";
    }
}
