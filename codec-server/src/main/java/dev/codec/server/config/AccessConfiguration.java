package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * Access and integrity settings: deployment grants ({@code codec.grants.*}), input formats
 * ({@code codec.formats.*}) and revision seals ({@code codec.seals.*}). See docs/grants.md.
 */
public final class AccessConfiguration {
    private AccessConfiguration() {}

    /** {@code codec.grants.*}. */
    @ConfigurationProperties("codec.grants")
    public static class Grants {
        private boolean required;
        private Duration maxTtl = Duration.ofHours(24);
        private Duration clockSkew = Duration.ofSeconds(30);

        /**
         * Whether decrypting needs a deployment grant ({@code codec.grants.required}, env
         * {@code CODEC_GRANTS_REQUIRED}). Default false in the server, so that existing runners keep
         * working until the control API stores grants; the Helm chart defaults to true. A grant that is
         * given is verified either way.
         */
        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }

        /** The longest grant IssueGrant issues ({@code codec.grants.max-ttl}). Default 24h. */
        public Duration getMaxTtl() {
            return maxTtl;
        }

        public void setMaxTtl(Duration maxTtl) {
            this.maxTtl = maxTtl;
        }

        /** How far the issuing and verifying clocks may differ ({@code codec.grants.clock-skew}). Default 30s. */
        public Duration getClockSkew() {
            return clockSkew;
        }

        public void setClockSkew(Duration clockSkew) {
            this.clockSkew = clockSkew;
        }

        @Override
        public String toString() {
            return "Grants[required=" + required + ", maxTtl=" + maxTtl + ", clockSkew=" + clockSkew + "]";
        }
    }

    /** {@code codec.formats.*}. */
    @ConfigurationProperties("codec.formats")
    public static class Formats {
        private boolean acceptEnc1 = true;

        /**
         * Whether "enc1:" values (bound to the project only, not to the variable name) are read
         * ({@code codec.formats.accept-enc1}, env {@code CODEC_FORMATS_ACCEPT_ENC1}). Default true; turn
         * it off once {@code codec_values_decrypted_total{format="enc1"}} stays flat. RotateDek reads
         * enc1 either way (it is how enc1 values become enc2).
         */
        public boolean isAcceptEnc1() {
            return acceptEnc1;
        }

        public void setAcceptEnc1(boolean acceptEnc1) {
            this.acceptEnc1 = acceptEnc1;
        }
    }

    /** {@code codec.seals.*}. */
    @ConfigurationProperties("codec.seals")
    public static class Seals {
        private boolean required;

        /**
         * Whether DecryptAll refuses a variable set without a seal ({@code codec.seals.required}, env
         * {@code CODEC_SEALS_REQUIRED}). Default false; a seal that is given is verified either way.
         */
        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }
    }
}
