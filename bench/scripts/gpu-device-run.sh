#!/bin/bash
# Runs on the lent GPU machine, from the carry folders of bench/scripts/gpu-device-pack.sh (read it
# first): the backend contract tests on ort-cuda (and the others, which skip with their reason), the
# batcher swap stress test on ort-cuda, issue target (b) on ort-cuda, target (a) on ort-cuda (1 and 2
# runners), and (b) on ort-cpu for the same host's CPU beside it; the most wanted first.
# G (default /root/g): where the natives' halves were moved; BACKEND (default ort-cuda): the backend
# the stress test and the benchmarks run, ort-cpu for a dry run without a GPU.
set -u
BACKEND=${BACKEND:-ort-cuda}
. "$(dirname "$0")/gpu-device-env.sh"
JAVA="$G/jre/bin/java -Donnxruntime.native.path=$G/ort"
CP="$G/cp/test-classes:$G/cp/classes:$G/cp/bench-classes:$(ls $G/cp/lib/*.jar | tr '\n' ':')"
set -o pipefail
$JAVA -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class dev.funnel.model.backend.OrtCudaBackendTest --select-class dev.funnel.model.backend.OrtTensorRtBackendTest \
  --select-class dev.funnel.model.backend.TensorRtBackendTest --select-class dev.funnel.model.backend.OrtCpuBackendTest \
  --select-class dev.funnel.model.backend.BackendsTest 2>&1 | tee "$OUT/tests.txt"
echo "tests rc=$?"
echo "== batcher swap stress on $BACKEND"
$JAVA -Dfunnel.test.backend=$BACKEND -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#everyResultComesFromExactlyOneVersionAndNothingLeaks' \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#twoRunnersKeepEveryInvariant' 2>&1 | tee "$OUT/swap.txt"
echo "swap rc=$?"
SBS="$JAVA -cp $CP dev.funnel.bench.model.SideBySide"
timeout 240 $SBS 4 1500 b 1 2 learned $BACKEND 64x32,256x128,1024x512 2>&1 | grep -v SLF4J | tee -a "$OUT/b.txt"
for r in 1 2; do
  timeout 150 $SBS 4 2000 a 1 $r empty $BACKEND 2>&1 | grep -v SLF4J | tee -a "$OUT/a.txt"
done
timeout 240 $SBS 4 1500 b 1 2 learned ort-cpu 64x32,256x128,1024x512 2>&1 | grep -v SLF4J | tee -a "$OUT/b-cpu.txt"
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv
