package dev.codec.server.config;

import dev.codec.server.core.Limits;
import io.micronaut.context.annotation.ConfigurationProperties;

/** Input limits: {@code codec.limits.*}. Defaults are {@link Limits#DEFAULTS}. */
@ConfigurationProperties("codec.limits")
public class LimitsConfiguration {
    private int maxProjectIdLength = Limits.DEFAULTS.maxProjectIdLength();
    private int maxEntries = Limits.DEFAULTS.maxEntries();
    private int maxValueBytes = Limits.DEFAULTS.maxValueBytes();
    private int maxNameLength = Limits.DEFAULTS.maxNameLength();

    /** Longest project_id / deployment_id in characters. Default 128. */
    public int getMaxProjectIdLength() {
        return maxProjectIdLength;
    }

    public void setMaxProjectIdLength(int maxProjectIdLength) {
        this.maxProjectIdLength = maxProjectIdLength;
    }

    /** Most values or variables in one call. Default 10000. */
    public int getMaxEntries() {
        return maxEntries;
    }

    public void setMaxEntries(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** Largest plaintext value in UTF-8 bytes. Default 65536. */
    public int getMaxValueBytes() {
        return maxValueBytes;
    }

    public void setMaxValueBytes(int maxValueBytes) {
        this.maxValueBytes = maxValueBytes;
    }

    /** Longest variable name in characters. Default 256. */
    public int getMaxNameLength() {
        return maxNameLength;
    }

    public void setMaxNameLength(int maxNameLength) {
        this.maxNameLength = maxNameLength;
    }

    public Limits toLimits() {
        return new Limits(maxProjectIdLength, maxEntries, maxValueBytes, maxNameLength);
    }

    @Override
    public String toString() {
        return "LimitsConfiguration[" + toLimits() + "]";
    }
}
