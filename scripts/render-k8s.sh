#!/usr/bin/env bash
# Regenerates k8s/codec.yaml from helm/codec (defaults + existing Secrets codec-kek, codec-callers, codec-tls) with the
# same Helm the tests use (helm-java, Helm's Go code in a jar: no helm binary needed). K8sManifestsTest fails
# when k8s/ and the chart differ. Also rewrites helm/codec/README.md's values table from values.yaml
# (ChartReadmeTest). Extra arguments go to Maven (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl deploy-tests -am test \
    -Dtest='K8sManifestsTest#k8sManifests_equalTheRenderedChart,ChartReadmeTest#readmeValuesTable_equalsValuesYaml' \
    -Dsurefire.failIfNoSpecifiedTests=false -Dcodec.render.k8s=true -Dcodec.render.readme=true "$@"
echo "wrote k8s/codec.yaml and the values table of helm/codec/README.md"
