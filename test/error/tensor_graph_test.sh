# tensor_graph_test.sh: graphs (docs/tensor-graphs.md) run through the C++
# API only; `kiln tensor run` and `kiln tensor build` (AOT libraries) refuse
# them with one located sentence and write nothing.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cp "$src/examples/tensor/mlp/mlp.tk" mlp.tk
msg="graphs run through compileGraph (C++, docs/tensor-graphs.md); \`kiln tensor\` and AOT libraries take kernels only"
check build-graph 1 "mlp.tk:4:1: error: $msg" "$kiln" tensor build mlp.tk -o mlp.so
[[ ! -e mlp.so && ! -e mlp.h ]] && ok || bad "build-graph: wrote a library or header"
check run-graph 1 "$msg" "$kiln" tensor run mlp.tk --kernel step --n 4

finish error.tensor_graph
