package dev.codec.client;

/**
 * {@link NoResumptionTest} with grpc-okhttp on both sides (codec-cli's class path has no Netty): a
 * new connection of the client makes a full TLS handshake through OkHttp (the JDK's TLS) too.
 */
class NoResumptionOverOkHttpTest extends NoResumptionTest {}
