// Tensor.cpp: the C API over tensor kernels (include/kiln/c/tensor.h).
//
// Programs compile on the engine's tensor::Engine (created on first use);
// kernel handles hold the CompiledKernel and the engine state, so a kernel
// outlives the program it came from and the caller's engine handle. A call
// converts kiln_tensor_arg into tensor::Arg on the stack (no allocation up
// to kStackArgs arguments) and lets CompiledKernel::run check it; a bound
// call (kiln_tensor_bind) is a tensor::BoundCall, checked once, whose runs
// go straight to the kernel's loop, after comparing the caller memory it was
// guarded with (kiln_tensor_call_guard; the Python binding's call cache).
#include "Engine.h"

#include "kiln/tensor/Tensor.h"

#include <atomic>
#include <cstring>
#include <new>
#include <vector>

using kiln::tensor::Arg;
using kiln::tensor::ArrayView;
using kiln::tensor::DType;
using kiln::tensor::Scalar;

struct kiln_tensor_program {
  std::shared_ptr<kiln::capi::EngineState> state;
  kiln::tensor::CompiledProgram program;
};

/// `state` is declared first so it is destroyed last: the tensor::Engine
/// must outlive the kernel's code.
struct kiln_tensor_kernel {
  std::shared_ptr<kiln::capi::EngineState> state;
  std::shared_ptr<kiln::tensor::CompiledKernel> kernel;
};

/// `size` bytes of caller memory at `address` that a bound call depends on
/// (kiln_tensor_call_guard); its bytes when added are kept at `offset` of
/// kiln_tensor_call::guardBytes.
struct CallGuard {
  const unsigned char *address;
  size_t offset, size;
};

struct kiln_tensor_call {
  std::shared_ptr<kiln::capi::EngineState> state;
  std::shared_ptr<kiln::tensor::CompiledKernel> kernel;
  kiln::tensor::BoundCall call; ///< refers to *kernel
  std::vector<CallGuard> guards; ///< compared in order before each run
  std::vector<unsigned char> guardBytes;
  /// Set while a guarded call runs: another thread's run is refused (BUSY).
  std::atomic<bool> busy{false};
};

namespace kiln::capi {
namespace {

// kiln_dtype and tensor::DType list the dtypes in the same order.
static_assert(int(DType::Bool) == KILN_DTYPE_BOOL &&
              int(DType::I32) == KILN_DTYPE_I32 &&
              int(DType::I64) == KILN_DTYPE_I64 &&
              int(DType::F32) == KILN_DTYPE_F32 &&
              int(DType::F64) == KILN_DTYPE_F64);

/// Arguments converted on the stack up to this count, on the heap above.
constexpr size_t kStackArgs = 8;

kiln_error *invalid(const char *function, const std::string &message) {
  return makeError(KILN_ERROR_INVALID_ARGUMENT,
                   std::string(function) + ": " + message);
}

bool knownDType(kiln_dtype d) {
  return d >= KILN_DTYPE_BOOL && d <= KILN_DTYPE_F64;
}

/// A view as the C++ API's; rank and shapes are checked by checkCall.
ArrayView toView(const kiln_array &a) {
  ArrayView v;
  v.data = a.data;
  v.dtype = DType(a.dtype);
  v.rank = a.rank;
  for (int d = 0; d < KILN_TENSOR_MAX_RANK; ++d)
    v.shape[d] = a.shape[d], v.strides[d] = a.strides[d];
  return v;
}

/// A wrong argument count, in checkCall's words.
kiln_error *checkCount(const char *function, const tensor::Kernel &kernel,
                       size_t count) {
  if (count == kernel.params.size())
    return nullptr;
  return invalid(function, "kernel '" + kernel.name + "' takes " +
                               std::to_string(kernel.params.size()) +
                               " arguments, got " + std::to_string(count));
}

/// A call's C arguments and output as the C++ API's, or an InvalidArgument
/// error for a wrong count (checked first, so that no more arguments are read
/// than the kernel has) or a dtype no kernel has.
class CallArgs {
public:
  CallArgs() {} // Stack and Out unconstructed: convert() makes what it uses
  CallArgs(const CallArgs &) = delete;
  CallArgs &operator=(const CallArgs &) = delete;
  kiln_error *convert(const char *function, const tensor::Kernel &kernel,
                      const kiln_tensor_arg *args, size_t count,
                      const kiln_array *out) {
    if (kiln_error *error = checkCount(function, kernel, count))
      return error;
    if (kiln_error *error = convertOut(function, out))
      return error;
    if (!args && count)
      return invalid(function,
                     "'args' is NULL but count is " + std::to_string(count));
    if (count > kStackArgs) {
      Heap.resize(count);
      Data = Heap.data();
    }
    for (size_t i = 0; i < count; ++i) {
      const kiln_tensor_arg &a = args[i];
      kiln_dtype dtype = a.is_array ? a.array.dtype : a.scalar.dtype;
      if (!knownDType(dtype))
        return invalid(function, "argument " + std::to_string(i) +
                                     ": unknown dtype " +
                                     std::to_string(int(dtype)));
      if (a.is_array)
        ::new (&Data[i]) Arg{true, toView(a.array), Scalar{}};
      else
        ::new (&Data[i]) Arg{false, ArrayView{},
                             Scalar{DType(dtype), a.scalar.f, a.scalar.i}};
    }
    return nullptr;
  }
  const Arg *data() const { return Data; }
  ArrayView *out() { return OutPtr; }

private:
  kiln_error *convertOut(const char *function, const kiln_array *out) {
    if (!out)
      return nullptr;
    if (!knownDType(out->dtype))
      return invalid(function, "output: unknown dtype " +
                                   std::to_string(int(out->dtype)));
    OutPtr = ::new (&Out) ArrayView(toView(*out));
    return nullptr;
  }

  union { // Arg is trivially destructible: nothing to destroy
    Arg Stack[kStackArgs];
  };
  std::vector<Arg> Heap;
  Arg *Data = Stack;
  union { // constructed by convertOut when there is an output
    ArrayView Out;
  };
  ArrayView *OutPtr = nullptr;
};

/// Guards per bound call and bytes in all: a guard describes a few fields
/// of the host's array objects, not the data.
constexpr size_t kMaxGuards = 64, kMaxGuardBytes = 64 * 1024;

/// Whether every guard's memory still holds its bytes; a guard is read only
/// when the ones before it matched (it may lie where they point).
bool guardsHold(const kiln_tensor_call &bound) {
  for (const CallGuard &g : bound.guards)
    if (std::memcmp(g.address, bound.guardBytes.data() + g.offset, g.size))
      return false;
  return true;
}

kiln_scalar toC(const Scalar &s) {
  return kiln_scalar{kiln_dtype(s.dtype), s.f, s.i};
}

kiln_error *kernelAt(kiln_tensor_program *program, size_t index,
                     kiln_tensor_kernel **out) {
  const auto &kernels = program->program.kernels;
  if (index >= kernels.size())
    return invalid("kiln_tensor_kernel_at",
                   "index " + std::to_string(index) + " is out of range (" +
                       std::to_string(kernels.size()) + " kernels)");
  *out = new kiln_tensor_kernel{program->state, kernels[index]};
  return nullptr;
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;
using namespace kiln;

KILN_API kiln_error *kiln_tensor_compile(kiln_engine *engine, const char *file,
                                         const char *source, size_t size,
                                         kiln_tensor_program **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(source || size == 0);
    KILN_REQUIRE(out);
    tensor::Engine *tensorEngine = nullptr;
    if (kiln_error *error = engine->state->tensor(tensorEngine))
      return error;
    tensor::CompileOptions options;
    if (file && *file)
      options.fileName = file;
    auto compiled = tensor::compile(
        *tensorEngine, std::string_view(source ? source : "", size), options);
    if (!compiled)
      return errorOf(compiled);
    *out = new kiln_tensor_program{engine->state, std::move(*compiled)};
    return nullptr;
  });
}

KILN_API void kiln_tensor_program_free(kiln_tensor_program *program) {
  delete program;
}

KILN_API size_t kiln_tensor_kernel_count(const kiln_tensor_program *program) {
  return program ? program->program.kernels.size() : 0;
}

KILN_API kiln_error *kiln_tensor_kernel_get(kiln_tensor_program *program,
                                            const char *name,
                                            kiln_tensor_kernel **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(program);
    KILN_REQUIRE(name);
    KILN_REQUIRE(out);
    auto kernel = program->program.find(name);
    if (!kernel)
      return invalid("kiln_tensor_kernel_get",
                     "no kernel named '" + std::string(name) + "'");
    *out = new kiln_tensor_kernel{program->state, std::move(kernel)};
    return nullptr;
  });
}

KILN_API kiln_error *kiln_tensor_kernel_at(kiln_tensor_program *program,
                                           size_t index,
                                           kiln_tensor_kernel **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(program);
    KILN_REQUIRE(out);
    return kernelAt(program, index, out);
  });
}

KILN_API void kiln_tensor_kernel_free(kiln_tensor_kernel *kernel) {
  delete kernel;
}

KILN_API const char *kiln_tensor_kernel_name(const kiln_tensor_kernel *kernel) {
  return kernel ? kernel->kernel->signature().name.c_str() : "";
}

KILN_API size_t
kiln_tensor_kernel_param_count(const kiln_tensor_kernel *kernel) {
  return kernel ? kernel->kernel->signature().params.size() : 0;
}

KILN_API kiln_error *kiln_tensor_kernel_param(const kiln_tensor_kernel *kernel,
                                              size_t index, const char **name,
                                              kiln_dtype *dtype,
                                              int *is_array) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(kernel);
    const auto &params = kernel->kernel->signature().params;
    if (index >= params.size())
      return invalid("kiln_tensor_kernel_param",
                     "index " + std::to_string(index) + " is out of range (" +
                         std::to_string(params.size()) + " parameters)");
    if (name)
      *name = params[index].name.c_str();
    if (dtype)
      *dtype = kiln_dtype(params[index].type);
    if (is_array)
      *is_array = params[index].isArray ? 1 : 0;
    return nullptr;
  });
}

KILN_API void kiln_tensor_kernel_result(const kiln_tensor_kernel *kernel,
                                        kiln_dtype *dtype, int *is_array) {
  if (!kernel)
    return;
  const tensor::Kernel &k = kernel->kernel->signature();
  if (dtype)
    *dtype = kiln_dtype(k.resultType);
  if (is_array)
    *is_array = k.resultIsArray ? 1 : 0;
}

/// kiln_tensor_result_shape of a kernel that reduces along an axis: the
/// shape depends on the expression, not only on the arguments' broadcast.
static kiln_error *axisResultShape(const char *fn, const tensor::Kernel &kernel,
                                   const kiln_tensor_arg *args, size_t count,
                                   int32_t *rank, int64_t *shape) {
  CallArgs call;
  if (kiln_error *error = call.convert(fn, kernel, args, count, nullptr))
    return error;
  auto got = tensor::resultShape(
      kernel, std::vector<Arg>(call.data(), call.data() + count));
  if (!got)
    return errorOf(got);
  *rank = int32_t(got->size());
  std::copy(got->begin(), got->end(), shape);
  return nullptr;
}

KILN_API kiln_error *
kiln_tensor_result_shape(const kiln_tensor_kernel *kernel,
                         const kiln_tensor_arg *args, size_t count,
                         int32_t *rank, int64_t shape[KILN_TENSOR_MAX_RANK]) {
  return guard(__func__, [&]() -> kiln_error * {
    const char *fn = "kiln_tensor_result_shape";
    KILN_REQUIRE(kernel);
    KILN_REQUIRE(rank);
    KILN_REQUIRE(shape);
    KILN_REQUIRE(args || count == 0);
    if (kiln_error *error = checkCount(fn, kernel->kernel->signature(), count))
      return error;
    const tensor::Kernel &k = kernel->kernel->signature();
    if (k.resultIsArray && tensor::reducesAlongAxis(k))
      return axisResultShape(fn, k, args, count, rank, shape);
    if (!k.resultIsArray && tensor::reducesAlongAxis(k)) {
      *rank = 0; // a scalar; `sum(a @ b)`'s operands need not broadcast
      return nullptr;
    }
    std::vector<std::vector<int64_t>> shapes;
    for (size_t i = 0; i < count; ++i) {
      const kiln_array &a = args[i].array;
      if (!args[i].is_array)
        continue;
      if (a.rank < 0 || a.rank > KILN_TENSOR_MAX_RANK)
        return invalid(fn, "argument " + std::to_string(i) + ": rank " +
                               std::to_string(a.rank) +
                               " is out of range (0-4)");
      shapes.emplace_back(a.shape, a.shape + a.rank);
    }
    auto shared = tensor::broadcastShapes(shapes);
    if (!shared)
      return invalid(fn, "the argument shapes do not broadcast");
    *rank = k.resultIsArray ? int32_t(shared->size()) : 0; // scalar: rank 0
    for (size_t d = 0; d < size_t(*rank); ++d)
      shape[d] = (*shared)[d];
    return nullptr;
  });
}

KILN_API kiln_error *kiln_tensor_run(const kiln_tensor_kernel *kernel,
                                     const kiln_tensor_arg *args, size_t count,
                                     const kiln_array *out, kiln_scalar *result,
                                     uint32_t threads) {
  return guard(__func__, [&]() -> kiln_error * {
    const char *fn = "kiln_tensor_run";
    KILN_REQUIRE(kernel);
    CallArgs call;
    if (kiln_error *error =
            call.convert(fn, kernel->kernel->signature(), args, count, out))
      return error;
    Scalar scalar;
    Status ran = kernel->kernel->run(call.data(), count, call.out(),
                                     result ? &scalar : nullptr, threads);
    if (!ran)
      return errorOf(ran);
    if (result && !kernel->kernel->signature().resultIsArray)
      *result = toC(scalar);
    return nullptr;
  });
}

KILN_API kiln_error *kiln_tensor_bind(const kiln_tensor_kernel *kernel,
                                      const kiln_tensor_arg *args, size_t count,
                                      const kiln_array *out, uint32_t threads,
                                      kiln_tensor_call **bound) {
  return guard(__func__, [&]() -> kiln_error * {
    const char *fn = "kiln_tensor_bind";
    KILN_REQUIRE(kernel);
    KILN_REQUIRE(bound);
    CallArgs call;
    if (kiln_error *error =
            call.convert(fn, kernel->kernel->signature(), args, count, out))
      return error;
    auto made = kernel->kernel->bind(call.data(), count, call.out(), threads);
    if (!made)
      return errorOf(made);
    *bound =
        new kiln_tensor_call{kernel->state, kernel->kernel, std::move(*made),
                             {}, {}, {}};
    return nullptr;
  });
}

KILN_API kiln_error *kiln_tensor_call_guard(kiln_tensor_call *bound,
                                            const void *address, size_t size) {
  return guard(__func__, [&]() -> kiln_error * {
    const char *fn = "kiln_tensor_call_guard";
    KILN_REQUIRE(bound);
    KILN_REQUIRE(address);
    if (size == 0 || bound->guards.size() >= kMaxGuards ||
        size > kMaxGuardBytes - bound->guardBytes.size())
      return invalid(fn, "a guard of " + std::to_string(size) +
                             " bytes: guards must be 1 byte or more, at most " +
                             std::to_string(kMaxGuards) + " per call and " +
                             std::to_string(kMaxGuardBytes) + " bytes in all");
    const auto *bytes = static_cast<const unsigned char *>(address);
    bound->guards.push_back({bytes, bound->guardBytes.size(), size});
    bound->guardBytes.insert(bound->guardBytes.end(), bytes, bytes + size);
    return nullptr;
  });
}

/// kiln_tensor_call_run after its checks: 0 or the failure's code.
static int runBound(kiln_tensor_call &bound, kiln_scalar *result) {
  try {
    Scalar scalar;
    Status ran = bound.call.run(result ? &scalar : nullptr);
    if (!ran)
      return codeOf(ran.diagnostics().front().kind);
    if (result && !bound.kernel->signature().resultIsArray)
      *result = toC(scalar);
    return 0;
  } catch (...) { // only out of memory while wording a failure
    return KILN_ERROR_OTHER;
  }
}

/// A guarded call: one thread at a time runs it, and only while its guards
/// hold.
static int runGuarded(kiln_tensor_call &bound, kiln_scalar *result) {
  if (bound.busy.exchange(true, std::memory_order_acquire))
    return KILN_TENSOR_CALL_BUSY;
  int rc = guardsHold(bound) ? runBound(bound, result) : KILN_TENSOR_CALL_STALE;
  bound.busy.store(false, std::memory_order_release);
  return rc;
}

KILN_API int kiln_tensor_call_run(kiln_tensor_call *bound,
                                  kiln_scalar *result) {
  if (!bound)
    return KILN_ERROR_INVALID_ARGUMENT;
  if (!bound->guards.empty())
    return runGuarded(*bound, result);
  return runBound(*bound, result);
}

KILN_API void kiln_tensor_call_free(kiln_tensor_call *bound) { delete bound; }
