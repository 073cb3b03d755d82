// GemmDriver: the packing and cache-blocking loop nest around the tile
// function, split into tasks on the thread pool (see Gemm.h).
#include "Gemm.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace kiln::tensor {
namespace {

/// A 2-D strided matrix: element (i, j) at data + (i*rs + j*cs) elements.
template <class T> struct Mat {
  const T *data;
  int64_t rs, cs;
  const T &at(int64_t i, int64_t j) const { return data[i * rs + j * cs]; }
};

/// dst[p*MR*kc + k*MR + r] = A(i0 + p*MR + r, k0 + k), zero past `mc` rows.
template <class T>
void packA(Mat<T> a, int64_t i0, int64_t k0, int64_t mc, int64_t kc, int64_t mr,
           T *dst) {
  if (kc == 0) // K = 0: nothing to pack, and `a` may hold no element at all
    return;
  for (int64_t p = 0; p < mc; p += mr, dst += mr * kc) {
    const int64_t rows = std::min(mr, mc - p);
    for (int64_t r = 0; r < rows; ++r) {
      const T *src = &a.at(i0 + p + r, k0);
      for (int64_t k = 0; k < kc; ++k)
        dst[k * mr + r] = src[k * a.cs];
    }
    for (int64_t r = rows; r < mr; ++r)
      for (int64_t k = 0; k < kc; ++k)
        dst[k * mr + r] = 0;
  }
}

/// dst[p*NR*kc + k*NR + j] = B(k0 + k, j0 + p*NR + j), zero past `nc`.
template <class T>
void packB(Mat<T> b, int64_t k0, int64_t j0, int64_t kc, int64_t nc, int64_t nr,
           T *dst) {
  for (int64_t p = 0; p < nc; p += nr, dst += nr * kc) {
    const int64_t cols = std::min(nr, nc - p);
    for (int64_t k = 0; k < kc; ++k) {
      const T *src = &b.at(k0 + k, j0 + p);
      T *to = dst + k * nr;
      if (b.cs == 1)
        std::memcpy(to, src, size_t(cols) * sizeof(T));
      else
        for (int64_t j = 0; j < cols; ++j)
          to[j] = src[j * b.cs];
      std::fill(to + cols, to + nr, T(0));
    }
  }
}

/// A per-thread 64-byte-aligned scratch buffer that only grows.
struct Scratch {
  std::unique_ptr<char[]> bytes;
  size_t size = 0;
  template <class T> T *get(size_t count) {
    const size_t need = count * sizeof(T) + 64;
    if (need > size) {
      bytes.reset(new char[need]);
      size = need;
    }
    auto p = reinterpret_cast<uintptr_t>(bytes.get());
    return reinterpret_cast<T *>((p + 63) & ~uintptr_t(63));
  }
};

/// What every task shares: the operands and how the work is cut.
struct Job {
  const GemmCall *call;
  irgen::TileFn fn;
  int64_t m, n, k;
  int64_t batches, mChunks, nChunks, mStep, nStep;
  std::vector<int64_t> outShape;
  /// Per batch dimension of the output: the element strides of a, b, c and
  /// each epilogue array (0 where broadcast).
  std::vector<std::vector<int64_t>> batchStrides;
};

/// Strides of `v`'s first rank-`tail` dimensions aligned at the right to
/// the output's batch dimensions (0 where v lacks or broadcasts one).
std::vector<int64_t> alignedStrides(const ArrayView &v, int tail,
                                    const std::vector<int64_t> &outShape) {
  const int nb = int(outShape.size()) - 2, vb = v.rank - tail;
  std::vector<int64_t> s(size_t(std::max(nb, 0)), 0);
  for (int d = 0; d < vb; ++d) {
    int to = nb - vb + d;
    if (to >= 0)
      s[size_t(to)] = v.shape[d] == 1 ? 0 : v.strides[d];
  }
  return s;
}

/// Element offsets of batch `index` for each operand of the job.
std::vector<int64_t> batchOffsets(const Job &job, int64_t index) {
  std::vector<int64_t> off(job.batchStrides.size(), 0);
  const size_t nb = job.outShape.size() - 2;
  for (size_t d = nb; d-- > 0;) {
    const int64_t i = index % job.outShape[d];
    index /= job.outShape[d];
    for (size_t q = 0; q < off.size(); ++q)
      off[q] += i * job.batchStrides[q][d];
  }
  return off;
}

/// The epilogue's words for one batch (EmitGemm.h's `epi` layout).
std::vector<int64_t> epilogueWords(const Job &job,
                                   const std::vector<int64_t> &off) {
  const GemmCall &c = *job.call;
  std::vector<int64_t> w(3 * c.epi.size() + 1, 0);
  const int r = int(job.outShape.size());
  for (size_t p = 0; p < c.epi.size(); ++p) {
    const Arg &a = c.epi[p];
    if (!a.isArray) {
      const Scalar &s = a.scalar;
      if (s.dtype == DType::F32) {
        float f = float(s.f);
        std::memcpy(&w[3 * p], &f, sizeof f);
      } else if (s.dtype == DType::F64) {
        std::memcpy(&w[3 * p], &s.f, sizeof s.f);
      } else {
        w[3 * p] = s.i; // little endian: i32 and bool in the low bytes
      }
      continue;
    }
    const ArrayView &v = a.array;
    auto dim = [&](int d) { // output dimension d in v, or 0 (broadcast)
      int vd = v.rank - (r - d);
      return vd >= 0 && v.shape[vd] != 1 ? v.strides[vd] : int64_t(0);
    };
    const char *base = static_cast<const char *>(v.data) +
                       off[3 + p] * int64_t(dtypeSize(v.dtype));
    w[3 * p] = int64_t(reinterpret_cast<uintptr_t>(base));
    w[3 * p + 1] = dim(r - 2);
    w[3 * p + 2] = dim(r - 1);
  }
  return w;
}

template <class T> struct Task {
  const Job &job;
  Mat<T> a, b;
  T *c;
  int64_t ldc;
  const int64_t *epi;

  /// Output rows [m0, m1) x columns [n0, n1), all of k.
  void run(int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const GemmTile &t = *job.call->tile;
    const int64_t mr = t.shape.rows, nr = t.shape.cols();
    auto up = [](int64_t x, int64_t unit) {
      return (x + unit - 1) / unit * unit;
    };
    const int64_t kcMax = std::min(t.kc, std::max<int64_t>(job.k, 1));
    thread_local Scratch packedA, packedB;
    T *pb = packedB.get<T>(size_t(kcMax * up(std::min(t.nc, n1 - n0), nr)));
    T *pa = packedA.get<T>(size_t(kcMax * up(std::min(t.mc, m1 - m0), mr)));
    for (int64_t jc = n0; jc < n1; jc += t.nc) {
      const int64_t nc = std::min(t.nc, n1 - jc);
      for (int64_t pc = 0; pc == 0 || pc < job.k; pc += t.kc) {
        const int64_t kc = std::min(t.kc, job.k - pc);
        const int64_t mode = (pc ? irgen::kTileAccumulate : 0) |
                             (pc + kc >= job.k ? irgen::kTileLast : 0);
        packB(b, pc, jc, kc, nc, nr, pb);
        for (int64_t ic = m0; ic < m1; ic += t.mc) {
          const int64_t mc = std::min(t.mc, m1 - ic);
          packA(a, ic, pc, mc, kc, mr, pa);
          tiles(pa, pb, ic, jc, mc, nc, kc, mode);
        }
      }
    }
  }

  void tiles(const T *pa, const T *pb, int64_t ic, int64_t jc, int64_t mc,
             int64_t nc, int64_t kc, int64_t mode) {
    const GemmTile &t = *job.call->tile;
    const int64_t mr = t.shape.rows, nr = t.shape.cols();
    for (int64_t jr = 0; jr < nc; jr += nr)
      for (int64_t ir = 0; ir < mc; ir += mr) {
        const int64_t i = ic + ir, j = jc + jr;
        job.fn(kc, pa + ir * kc, pb + jr * kc, nr, c + i * ldc + j, ldc,
               std::min(mr, mc - ir), std::min(nr, nc - jr), mode, epi, i, j);
      }
  }
};

template <class T> void runTask(const Job &job, int64_t task) {
  const GemmCall &call = *job.call;
  const int64_t per = job.mChunks * job.nChunks;
  const int64_t batch = task / per, rest = task % per;
  const int64_t mi = rest / job.nChunks, ni = rest % job.nChunks;
  const int64_t m0 = mi * job.mStep, n0 = ni * job.nStep;
  const int64_t m1 = std::min(job.m, m0 + job.mStep),
                n1 = std::min(job.n, n0 + job.nStep);
  if (m0 >= m1 || n0 >= n1)
    return;
  std::vector<int64_t> off = batchOffsets(job, batch);
  std::vector<int64_t> words = epilogueWords(job, off);
  const ArrayView &a = call.a, &b = call.b, &c = call.c;
  Task<T> t{job,
            {static_cast<const T *>(a.data) + off[0], a.strides[a.rank - 2],
             a.strides[a.rank - 1]},
            {static_cast<const T *>(b.data) + off[1], b.strides[b.rank - 2],
             b.strides[b.rank - 1]},
            static_cast<T *>(c.data) + off[2],
            c.strides[c.rank - 2],
            words.data()};
  t.run(m0, m1, n0, n1);
}

void taskEntry(void *arg, int64_t task) {
  const Job &job = *static_cast<const Job *>(arg);
  if (job.call->tile->type == DType::F32)
    runTask<float>(job, task);
  else
    runTask<double>(job, task);
}

/// Cuts the work into about 2 tasks per thread (a loaded machine then
/// balances itself), by batches first, then by columns when M <= N (every
/// task packs all of A, the smaller operand), else by rows (all of B).
void cutWork(Job &job, unsigned threads) {
  const GemmTile &t = *job.call->tile;
  const int64_t mr = t.shape.rows, nr = t.shape.cols();
  const double flops = 2.0 * double(job.m) * double(job.n) * double(job.k);
  const int64_t want =
      threads <= 1 || flops < (1 << 21) || job.batches >= 2 * int64_t(threads)
          ? 1
          : (2 * int64_t(threads) + job.batches - 1) / job.batches;
  const int64_t nMax = (job.n + nr - 1) / nr, mMax = (job.m + mr - 1) / mr;
  if (job.m <= job.n) {
    job.nChunks = std::clamp<int64_t>(want, 1, nMax);
    job.mChunks =
        std::clamp<int64_t>((want + job.nChunks - 1) / job.nChunks, 1, mMax);
  } else {
    job.mChunks = std::clamp<int64_t>(want, 1, mMax);
    job.nChunks =
        std::clamp<int64_t>((want + job.mChunks - 1) / job.mChunks, 1, nMax);
  }
  auto step = [](int64_t len, int64_t chunks, int64_t unit) {
    int64_t s = (len + chunks - 1) / chunks;
    return std::max<int64_t>(unit, (s + unit - 1) / unit * unit);
  };
  job.nStep = step(job.n, job.nChunks, nr);
  job.mStep = step(job.m, job.mChunks, mr);
}

} // namespace

Status runGemm(exec::ThreadPool &pool, unsigned threads, const GemmCall &call) {
  auto fn = call.tile->function();
  if (!fn)
    return fn.takeDiagnostics();
  Job job{&call, *fn, 0, 0, 0, 1, 1, 1, 0, 0, {}, {}};
  job.outShape.assign(call.c.shape, call.c.shape + call.c.rank);
  const int r = call.c.rank;
  job.m = call.c.shape[r - 2];
  job.n = call.c.shape[r - 1];
  job.k = call.a.shape[call.a.rank - 1];
  for (int d = 0; d < r - 2; ++d)
    job.batches *= call.c.shape[d];
  if (job.m == 0 || job.n == 0 || job.batches == 0)
    return {};
  std::vector<std::vector<int64_t>> perOperand = {
      alignedStrides(call.a, 2, job.outShape),
      alignedStrides(call.b, 2, job.outShape),
      alignedStrides(call.c, 2, job.outShape)};
  for (const Arg &e : call.epi)
    perOperand.push_back(e.isArray ? alignedStrides(e.array, 2, job.outShape)
                                   : std::vector<int64_t>(size_t(r - 2), 0));
  job.batchStrides = std::move(perOperand);
  cutWork(job, threads);
  const int64_t tasks = job.batches * job.mChunks * job.nChunks;
  const double flops =
      2.0 * double(job.batches) * double(job.m) * double(job.n) * double(job.k);
  if (tasks == 1 || threads <= 1 || flops < (1 << 21)) // waking costs more
    for (int64_t t = 0; t < tasks; ++t)
      taskEntry(&job, t);
  else
    pool.run(tasks, threads, taskEntry, &job);
  return {};
}

} // namespace kiln::tensor
