#!/bin/bash
# Runs on the lent GPU machine, from the carry folders of bench/scripts/gpu-device-pack.sh (read it
# first): the backend contract tests on ort-cuda (and the others, which skip with their reason), the
# batcher swap stress test on ort-cuda, and issue target (a) on ort-cuda, three times (1, 2, 1 runners).
set -u
G=/root/g
cd "$G"
ls -la
cat ort.part-* > ort.tar.xz && mkdir -p ort && tar -xJf ort.tar.xz -C ort && rm -f ort.part-* ort.tar.xz
tar -xJf "$REPO/.gpu/c/jre.tar.xz" && tar -xJf "$REPO/.gpu/c/cp.tar.xz"
ln -sf libonnxruntime.so.1 ort/libonnxruntime.so # already a link in the archive; harmless
LIBS=$(find /opt /usr/local /usr/lib /root -maxdepth 9 \( -name 'libcublasLt.so.13' -o -name 'libcublas.so.13' -o -name 'libcudnn.so.9' -o -name 'libcufft.so.12' -o -name 'libcudart.so.13' \) 2>/dev/null | xargs -r -n1 dirname | sort -u | tr '\n' ':')
echo "CUDA libraries in: $LIBS"
export LD_LIBRARY_PATH="$G/ort:$LIBS/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
JAVA="$G/jre/bin/java -Donnxruntime.native.path=$G/ort"
CP="$G/cp/test-classes:$G/cp/classes:$G/cp/bench-classes:$(ls $G/cp/lib/*.jar | tr '\n' ':')"
set -o pipefail
$JAVA -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class dev.funnel.model.backend.OrtCudaBackendTest --select-class dev.funnel.model.backend.OrtTensorRtBackendTest \
  --select-class dev.funnel.model.backend.TensorRtBackendTest --select-class dev.funnel.model.backend.OrtCpuBackendTest \
  --select-class dev.funnel.model.backend.BackendsTest 2>&1 | tee "$OUT/tests.txt"
echo "tests rc=$?"
echo "== batcher swap stress on ort-cuda"
$JAVA -Dfunnel.test.backend=ort-cuda -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#everyResultComesFromExactlyOneVersionAndNothingLeaks' \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#twoRunnersKeepEveryInvariant' 2>&1 | tee "$OUT/swap-cuda.txt"
echo "swap rc=$?"
BCP="$CP"
timeout 150 $JAVA -cp "$BCP" dev.funnel.bench.model.SideBySide 4 2000 a 1 1 empty ort-cuda 2>&1 | grep -v SLF4J | tee "$OUT/batcher-cuda-1.txt"
timeout 150 $JAVA -cp "$BCP" dev.funnel.bench.model.SideBySide 4 2000 a 1 2 empty ort-cuda 2>&1 | grep -v SLF4J | tee "$OUT/batcher-cuda-2.txt"
timeout 150 $JAVA -cp "$BCP" dev.funnel.bench.model.SideBySide 4 2000 a 1 1 empty ort-cuda 2>&1 | grep -v SLF4J | tee "$OUT/batcher-cuda-3.txt"
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv
