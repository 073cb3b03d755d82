# tensor_graph_test.sh: graphs (docs/tensor-graphs.md) run through the C++,
# C and Python APIs and AOT libraries; `kiln tensor run` refuses them with
# one located sentence (tensor_graph_aot_test.sh tests the libraries).
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cp "$src/examples/tensor/mlp/mlp.tk" mlp.tk
msg="\`kiln tensor run\` takes kernels only; a graph runs through compileGraph (C++, C, Python) or an AOT library (\`kiln tensor build\`, docs/tensor-graphs.md)"
check build-graph 0 - "$kiln" tensor build mlp.tk -o mlp.so
[[ -s mlp.so && -s mlp.h ]] && ok || bad "build-graph: no library or header"
check run-graph 1 "$msg" "$kiln" tensor run mlp.tk --kernel step --n 4

finish error.tensor_graph
