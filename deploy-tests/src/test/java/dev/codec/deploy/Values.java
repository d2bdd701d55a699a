package dev.codec.deploy;

/**
 * Values files the chart tests render with. The key and tokens are test values, known so leaks can
 * be found.
 */
public final class Values {
  /**
   * The recommended install: Secrets made outside Helm (KEKs, caller tokens, the TLS certificate).
   */
  public static final String EXISTING_SECRETS =
      """
            kek:
              existingSecret: codec-kek
            auth:
              existingSecret: codec-callers
            tls:
              existingSecret: codec-tls
            """;

  /** Plaintext gRPC, chosen explicitly. */
  public static final String TLS_OFF =
      """
            tls:
              enabled: false
              existingSecret: ""
            """;

  /** The serving certificate from cert-manager instead of an existing Secret. */
  public static final String CERT_MANAGER =
      """
            tls:
              existingSecret: ""
              certManager:
                issuerRef:
                  name: codec-ca
                  kind: ClusterIssuer
            """;

  /** Tracing on, to a collector in the observability namespace on a non-default port. */
  public static final String TRACING =
      """
            tracing:
              enabled: true
              endpoint: http://otel-collector.observability:4318/v1/traces
              sampleRatio: 0.25
              collectorPort: 14318
            """;

  public static final String KEK_1 = "q3EfBp0Yb0m8QZ2yUe4xH1c6VnTt9R5sLkW7aJdXoPI=";
  public static final String KEK_2 = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=";
  public static final String CONTROL_API_TOKEN = "tok-control-api-5f1b8e2c9d7a4e6b";
  public static final String RUNNER_TOKEN = "tok-runner-0c3d9a7e1b2f4a8c6e";

  /** Keys and tokens in the values: the chart creates both Secrets (the TLS Secret exists). */
  public static final String CHART_SECRETS =
      """
            tls:
              existingSecret: codec-tls
            kek:
              keys:
                "1": %s
                "2": %s
              active: "2"
              reloadInterval: 30s
            auth:
              tokens:
                control-api: %s
                runner: %s
            """
          .formatted(KEK_1, KEK_2, CONTROL_API_TOKEN, RUNNER_TOKEN);

  /**
   * Everything optional switched on: chart-created Secrets, TLS with mTLS, HPA, ServiceMonitor,
   * PrometheusRule, namespaces, extra volumes.
   */
  public static final String EVERY_TOGGLE =
      CHART_SECRETS
          + """
            tls:
              enabled: true
              existingSecret: codec-tls
              clientAuth: REQUIRE
            prometheusRule:
              enabled: true
              labels:
                release: kube-prometheus-stack
              alertLabels:
                team: platform
            extraVolumes:
              - name: extra-ca
                configMap:
                  name: extra-ca
            extraVolumeMounts:
              - name: extra-ca
                mountPath: /etc/codec-extra
                readOnly: true
            autoscaling:
              enabled: true
              minReplicas: 3
              maxReplicas: 9
            serviceMonitor:
              enabled: true
              labels:
                release: kube-prometheus-stack
            networkPolicy:
              enabled: true
              grpcFrom:
                - podSelector:
                    matchLabels:
                      app: control-api
                  namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: control
                - podSelector:
                    matchLabels:
                      role: runner
                  namespaceSelector:
                    matchLabels:
                      codec.dev/runners: "true"
            config:
              javaToolOptions: -XX:MaxRAMPercentage=60
              logFormat: text
            podAnnotations:
              example.com/team: platform
            """;

  private Values() {}
}
